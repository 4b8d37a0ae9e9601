"""The spider a crawl runs: every family at once, each source dispatched to its family's navigation.

The registry's `family:` forces the family; otherwise the URL shape and the listing's markup decide
(gkmlpt, then Hanweb, then TRS, else generic). See crawler/families/base.py for what is shared.
"""

from __future__ import annotations

from spiders.generic import GenericSpider
from spiders.gkmlpt import GkmlptSpider
from spiders.hanweb import HanwebSpider
from spiders.trs import TrsSpider


class PortalsSpider(GkmlptSpider, HanwebSpider, TrsSpider, GenericSpider):
    name = "portals"
