from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from recipes_api.accounts.models import User

admin.site.register(User, UserAdmin)
