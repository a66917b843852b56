"""The exception tree; turned into HTTP statuses or CLI messages only at the edges."""


class CpcSearchError(Exception):
    """Base of every error cpcsearch raises on purpose."""


class DocumentError(CpcSearchError, ValueError):
    """A document or one of its fields is invalid."""


class ScrapeError(CpcSearchError):
    """A page could not be fetched or read."""


class QueryError(CpcSearchError, ValueError):
    """A query parameter is invalid (bad date, bad page number...)."""


class IndexBusy(CpcSearchError):
    """Another writer holds the index lock."""


class IndexMissing(CpcSearchError):
    """No index exists yet at the configured place."""


class NotFound(CpcSearchError, LookupError):
    """No document has the requested id."""


class Overloaded(CpcSearchError):
    """Too many costly searches are running at once; the caller may try again shortly."""
