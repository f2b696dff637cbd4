"""Map pages (issue 14): the browser fixtures of tests/browser, and a guard that no request leaves the
live test server (no CDN, no tile server: with MAP_TILE_URL empty the maps draw vectors only)."""

import pytest

from tests.browser.conftest import browser, page_factory, shoot  # noqa: F401


@pytest.fixture
def local_page(page_factory, live_server):  # noqa: F811
    """page_factory whose pages record every request's URL in `page.outside` when it is not the live server's,
    and in `page.failed` the URLs that answered 400 or more."""

    def make(**kwargs):
        page = page_factory(**kwargs)
        page.outside = []
        page.requested = []

        def seen(request):
            page.requested.append(request.url)
            if not request.url.startswith(live_server.url + "/") and not request.url.startswith(("data:", "blob:")):
                page.outside.append(request.url)

        page.on("request", seen)
        page.failed = []
        page.on("response", lambda response: response.status >= 400 and page.failed.append(response.url))
        return page

    return make
