"""The one pagination every list uses: newest first, by opaque cursor.

A cursor stays stable while new rows arrive at the top, which is what a phone
scrolling its library needs; page numbers would shift under it.
"""

from rest_framework.pagination import CursorPagination


class NewestFirstPagination(CursorPagination):
    ordering = "-created_at"
    page_size_query_param = "page_size"
    max_page_size = 100
