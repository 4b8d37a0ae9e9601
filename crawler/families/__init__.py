"""The shared base of the CMS-family spiders."""
