"""`nianbao`: a thin click CLI over the library. Each command lives in crawler/commands/."""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute"; imported lazily so `nianbao parse` does not load Scrapy or Datasette.
COMMANDS = {
    "parse": "crawler.commands.parse:parse",
    "agencies": "crawler.commands.agencies:agencies",
    "ingest": "crawler.commands.ingest:ingest",
    "check": "crawler.commands.check:check",
    "findings": "crawler.commands.check:findings",
    "crawl": "crawler.commands.crawl:crawl",
    "run": "crawler.commands.run:run",
    "alerts": "crawler.commands.alerts:alerts",
    "schedule": "crawler.commands.schedule:schedule",
    "serve": "crawler.commands.serve:serve",
    "demo": "crawler.commands.demo:demo",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", prog_name="nianbao")
def main():
    """nianbao (年报): find late, missing and self-contradicting 政府信息公开工作年度报告."""


if __name__ == "__main__":
    main()
