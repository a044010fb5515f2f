"""The one pagination every list uses: newest first, by opaque cursor.

A cursor stays stable while new rows arrive at the top, which is what a phone
scrolling its library needs; page numbers would shift under it.
"""

from rest_framework.pagination import CursorPagination


class NewestFirstPagination(CursorPagination):
    ordering = "-created_at"
    page_size_query_param = "page_size"
    max_page_size = 100


class QueryOrderedPagination(NewestFirstPagination):
    """Cursor pagination in the order the view's selector gave the queryset
    (the recipe list's `ordering`): its first field is the cursor's
    position, and the cursor stays stable as long as that field is exact
    (dates, titles, integers; the search rank is made an integer for this)."""

    def get_ordering(self, request, queryset, view):
        return tuple(queryset.query.order_by) or (self.ordering,)
