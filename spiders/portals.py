"""The spider a crawl runs: every family at once, each source dispatched to its family's navigation.

The registry's `family:` forces the family; otherwise the URL shape and the listing's markup decide
(gkmlpt, jpaas, Anhui, Hanweb, TRS, else generic). See crawler/families/base.py for what is shared.
"""

from __future__ import annotations

from spiders.anhui import AnhuiSpider
from spiders.generic import GenericSpider
from spiders.gkmlpt import GkmlptSpider
from spiders.hanweb import HanwebSpider
from spiders.jpaas import JpaasSpider
from spiders.trs import TrsSpider


class PortalsSpider(GkmlptSpider, JpaasSpider, AnhuiSpider, HanwebSpider, TrsSpider, GenericSpider):
    name = "portals"
