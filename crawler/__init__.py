"""nianbao's crawler side: the document parser (crawler.parse), items, pipelines, the family base spiders, the CLI."""
