"""The crawler: discover the site's articles, fetch them politely and keep the store current.

`fetch` speaks HTTP (robots.txt, delays, retries, conditional GET, size cap, decoding),
`discover` finds URLs (sitemaps, feeds, links), `crawler` runs the loop and `reextract`
re-reads the stored raw pages with the current extractor.
"""

from cpcsearch.scrape.crawl.crawler import CrawlReport, crawl
from cpcsearch.scrape.crawl.reextract import ReextractReport, reextract

__all__ = ["CrawlReport", "ReextractReport", "crawl", "reextract"]
