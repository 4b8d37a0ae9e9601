"""One Scrapy spider per CMS family; each subclasses crawler.families.base."""
