"""The `nianbao` subcommands, one module per command group; crawler.cli wires them together."""
