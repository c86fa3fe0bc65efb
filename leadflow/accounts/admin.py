from django.contrib import admin

from .forms import AdminLockoutAuthenticationForm

# The admin's own login page is a second way to guess passwords: same lockout.
admin.site.login_form = AdminLockoutAuthenticationForm
