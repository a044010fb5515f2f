"""Staff see photos and jobs; they change neither (the worker owns jobs).

They may delete them, with Django's delete permission: deleting a user
deletes their photos and jobs, which the admin allows only to someone who may
delete those too. A deleted photo's files go once the deletion commits."""

from django.contrib import admin

from recipes_api.photos.models import Job, Photo


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Photo)
class PhotoAdmin(ViewOnlyAdmin):
    list_display = ["id", "owner", "width", "height", "bytes", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["owner__username"]
    date_hierarchy = "created_at"


@admin.register(Job)
class JobAdmin(ViewOnlyAdmin):
    list_display = ["id", "owner", "status", "stage", "mode", "attempts", "created_at"]
    list_select_related = ["owner"]
    list_filter = ["status", "mode"]
    search_fields = ["owner__username"]
    date_hierarchy = "created_at"
