"""The Caspian Policy Center's page layout, as data: selectors, names and boilerplate patterns.

A redesign of the site means editing this module only. Selectors are tried in order; each list
covers the markup of the site's successive themes.
"""

import re

SITE_NAME = "Caspian Policy Center"
SITE_HOST = "www.caspianpolicy.org"
MIRROR_HOSTS = frozenset(
    {"caspianpolicy.org", "www.caspianpolicy.org", "caspianpolicy.com", "www.caspianpolicy.com"}
)
# Query parameters that only say how a link was shared (courlan removes the common trackers).
SITE_TRACKING_PARAMS = re.compile(r"^(share|amp|ref)$", re.IGNORECASE)

# Article heading first: the generic <title> carries the site name.
TITLE_SELECTORS = ("article h1", "main h1", "h1.entry-title", "h1.post-title", "h1")
# What joins a title and a site name in <title> ("Gas Deal | CPC", "CPC - Gas Deal").
TITLE_SEPARATOR = r"\s*(?:[|–—·•»:]|\s-)\s*"
# Where the page says who it is, besides SITE_NAME (each name's initials count too: "CPC").
# Not application-name: some sites fill it with the article's title.
SITE_NAME_METAS = ("og:site_name",)

BODY_SELECTORS = (
    ".post-content", ".entry-content", ".article-content", ".article-body",
    "[itemprop=articleBody]",
    ".content-body", ".post-body", "article", "main", "#content", ".content-area",
)
BODY_BLOCK_TAGS = ("p", "h2", "h3", "h4", "li", "blockquote", "pre")

# Whole elements that never hold article text.
BOILERPLATE_SELECTORS = (
    "script", "style", "noscript", "template", "form", "button", "iframe", "video", "audio",
    "header", "footer", "nav", "aside", "figure", "figcaption", "svg",
    "[class*=breadcrumb]", "[class*=share]", "[class*=social]", "[class*=related]",
    "[class*=newsletter]", "[class*=cookie]", "[class*=subscribe]", "[class*=caption]",
    "[class*=credit]", "[class*=tags]", "[class*=post-meta]", "[class*=entry-meta]",
    "[class*=author]", "[class*=byline]", "[class*=comments]", "[class*=sidebar]",
    "[class*=widget]", "[role=navigation]", "[role=banner]", "[role=contentinfo]",
    "[aria-label*=breadcrumb i]", "[hidden]", "time", "[class*=posted-on]", "[class*=dateline]",
)

# Single lines that are not article text even when they sit inside the body, in any layout.
BOILERPLATE_LINES = re.compile(
    r"^(image|photo|picture|video|map|chart|graphic|cover|header|featured)s?"
    r"(\s+(image|photo))?\s*(source|credit|courtesy)s?\s*:"
    r"|^(source|credit|photo|image|video|pictured|caption)\s*:"
    r"|^read (the )?(full )?report\b"
    r"|^(download|view) (the )?(full )?(report|pdf)\b"
    r"|^share( this( article| post)?)?\s*:?\s*$"
    r"|^related (articles|posts|content|research)\s*$"
    r"|^(read (more|also|next)|also read|see also)\s*:"
    r"|^tags?\s*:",
    re.IGNORECASE,
)
# The heading that opens the list of other articles under the body: the article ends there.
RELATED_HEADING = re.compile(
    r"^(related|recommended|more|similar|further|latest)\s+(articles|posts|content|research"
    r"|stories|reading|analysis|publications)\s*:?$", re.IGNORECASE
)
# A paragraph wholly in <em>/<i>/<small> right after embedded media is its caption.
CAPTION_WRAPPERS = ("em", "i", "small", "cite")
MEDIA_TAGS = ("figure", "iframe", "img", "video", "picture", "embed", "object")
# A short line right under one of these is its caption.
EMBED_TAGS = ("iframe", "video", "audio", "embed", "object")

# The visible-text steps (`visible.py`): the page as lines in reading order, whatever its tags.
INVISIBLE_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "svg", "select", "option",
    "button", "input", "textarea", "meta", "link",
})
VISIBLE_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
})
TOP_LINES = 40  # the title, byline and date are among the page's first lines
MIN_TITLE_WORDS, MAX_TITLE_WORDS = 2, 30
TITLE_MATCH = 0.6  # share of a line's words (and of the slug's or <title>'s) they must share
VISIBLE_BYLINE = re.compile(r"^\s*(?:authors?\s*:|by\s+(?=\w))\s*", re.IGNORECASE)
# Lower-case words a name may hold ("Ursula von der Leyen").
NAME_PARTICLES = frozenset({"al", "bin", "da", "de", "del", "der", "di", "du", "la", "le", "van",
                            "von", "y"})
BYLINE_LABEL = re.compile(r"^\s*(?:authors?\s*:?|by)\s*$", re.IGNORECASE)  # names on the next line
MAX_BYLINE_CHARS = 160
BYLINE_WINDOW = 6  # lines after the title where the byline may sit
DATE_WINDOW = 4  # lines after the byline (or the title) where the date may sit
DATE_LINE_SLACK = 12  # characters besides the date a dateline may hold ("Posted on", "|")
MAX_CAPTION_WORDS = 30
SENTENCE_ENDS = (".", "?", "!", ":", "”", '"')
HEAD_PARAGRAPHS = 8  # the body's first paragraphs, where a repeated title or byline may sit
MAX_HEAD_WORDS = 12  # a line before the title in the body is furniture only when this short

# The generic extractor (`generic.py`), for any news or blog page.
# Elements that start a new paragraph when readability's HTML is flattened to text.
FLATTEN_BLOCK_TAGS = VISIBLE_BLOCK_TAGS | {"br"}
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
# A whole paragraph that is only a call to action, a credit or a pointer to other content.
GENERIC_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        subscribe\b.* | sign\ up\b.*newsletter.* | get\ the\ latest\b.*\binbox\b.*
      | (?:tell\ us\ what\ you\ think|you\ may\ also\ like|user\ comments|comments?)\W*
      | (?:more|also|related(?:\ (?:stories|articles|content))?)\s*:?
      | more\ .{0,40}\ stories | advertisement | share\ (?:this\ (?:article|story|post)|on\ \w+)\W*
      | (?:follow|email)\b.*\b(?:twitter|facebook|instagram|@\w+).*
      | (?:filed\ under|tags?|categories)\s*:.*
      | (?:photo|image|picture|credit|source)s?\s*(?:credit|source)?\s*:.{0,120}
      | .{0,80}\(\s*(?:photo|image|credit)s?\b[^)]{0,80}\)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Paragraphs that point at other articles; list items right after them point there too.
RELATED_LINK_LINE = re.compile(
    r"^(?:related|read\ (?:more|also|next)|also\ read|see\ also|more)\s*:\s*\S", re.I | re.X
)

# Each selector's matches are read together ("Author: A, B" in one element, or one link per
# author); matches inside these containers belong to other articles.
AUTHOR_SELECTORS = (
    ".author", ".authors", "[class*=byline]", ".post-author", ".entry-author",
    "[itemprop=author]", "[class*=author-name]", "[rel=author]",
)
AUTHOR_OUTSIDE = "[class*=related], aside, footer, [class*=comment]"
AUTHOR_LINE = re.compile(r"^\s*(?:authors?|written by|by)\b\s*:?\s*(?P<names>.+)$", re.IGNORECASE)
AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\|)\s*", re.IGNORECASE)
MAX_AUTHOR_WORDS = 5

DATE_SELECTORS = (
    "time[datetime]", "[itemprop=datePublished]", ".post-date", ".entry-date", ".published",
    ".date", ".post-meta", ".entry-meta", ".meta",
)
VISIBLE_DATE = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}"
    r"|\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)

BREADCRUMB_SELECTORS = (
    "[class*=breadcrumb] a", "nav[aria-label*=breadcrumb i] a", "[itemtype*=BreadcrumbList] a",
)
BREADCRUMB_SKIP = frozenset({"home", "research", SITE_NAME.lower()})
SECTION_URL = re.compile(r"/research/(?P<section>[a-z0-9-]+)/[^/]+/?$")
SECTIONS = {
    "energy-and-economy-program-eep": "Energy and Economy Program (EEP)",
    "security-and-politics-program-spp": "Security and Politics Program (SPP)",
    "central-asia-program-cap": "Central Asia Program (CAP)",
    "south-caucasus-program-scp": "South Caucasus Program (SCP)",
}

TAG_SELECTORS = ("a[rel=tag]", "[class*=tags] a", "[class*=post-tags] a", "[class*=tag-list] a")

# Regions recognized in the text and added to a document's topics.
REGIONS = {
    "Azerbaijan": ("azerbaijan", "azerbaijani", "baku"),
    "Armenia": ("armenia", "armenian", "yerevan"),
    "Georgia": ("georgia", "georgian", "tbilisi"),
    "Kazakhstan": ("kazakhstan", "kazakh", "astana"),
    "Kyrgyzstan": ("kyrgyzstan", "kyrgyz republic", "kyrgyz", "bishkek"),
    "Tajikistan": ("tajikistan", "tajik", "dushanbe"),
    "Turkmenistan": ("turkmenistan", "turkmen", "ashgabat"),
    "Uzbekistan": ("uzbekistan", "uzbek", "tashkent"),
    "Türkiye": ("türkiye", "turkiye", "turkey", "turkish", "ankara"),
    "Iran": ("iran", "iranian", "tehran"),
    "Russia": ("russia", "russian", "moscow", "kremlin"),
    "China": ("china", "chinese", "beijing"),
    "Afghanistan": ("afghanistan", "afghan", "kabul"),
    "Caspian Sea": ("caspian sea",),
    "South Caucasus": ("south caucasus",),
    "Central Asia": ("central asia", "central asian"),
}
MIN_REGION_MENTIONS = 2
