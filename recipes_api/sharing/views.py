"""The public share page (`/r/<token>/`), its cover photo, and its report
form. No sign-in: the token is the capability. Every one of them answers 404
from the moment the share is revoked, hidden, rejected or its owner banned."""

import hashlib
import json

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from recipes_api import errors
from recipes_api.moderation.forms import ReportForm
from recipes_api.moderation.services import report_file
from recipes_api.photos.files import VARIANTS
from recipes_api.recipes.jsonld import ingredient_line, recipe_jsonld
from recipes_api.sharing.selectors import share_photo_url, share_public
from recipes_api.throttles import FairUseThrottle


def _live(token: str):
    try:
        return share_public(token=token)
    except errors.NotFound:
        raise Http404("No such shared recipe.") from None


@require_GET
def share_page(request, token):
    share = _live(token)
    return _render(request, share, ReportForm(), status=200)


def _render(request, share, form, *, status):
    recipe = share.recipe
    image = share_photo_url(share, "image", request)
    document = recipe_jsonld(recipe.data, created_at=recipe.created_at, images=[image] if image else [])
    context = {
        "recipe": recipe.data,
        "ingredients": [ingredient_line(item) for item in recipe.data["ingredients"]],
        "thumbnail": share_photo_url(share, "thumbnail", request),
        "jsonld": _script_safe(document),
        "form": form,
        "token": share.token,
        "reported": request.GET.get("reported") == "1",
    }
    response = render(request, "sharing/page.html", context, status=status)
    response["Cache-Control"] = "no-cache"  # a moderator's decision must show at once
    return response


def _script_safe(document: dict) -> str:
    """JSON that cannot close its <script> element."""
    text = json.dumps(document, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@require_GET
def share_photo(request, token, variant):
    share = _live(token)
    photo = share.recipe.photo
    file = getattr(photo, variant, None) if variant in VARIANTS and photo else None
    if not file:
        raise Http404("No such photo.")
    try:
        opened = file.storage.open(file.name, "rb")
    except FileNotFoundError:
        raise Http404("No such photo.") from None
    response = FileResponse(opened, content_type=VARIANTS[variant])
    response["Cache-Control"] = "no-cache"
    return response


class _ReportScope:
    """What DRF's throttle reads from a view: the rate's scope."""

    throttle_scope = "report"


@require_POST
def share_report(request, token):
    """The page's report form (CSRF-protected, as every Django form here).
    Throttled like `POST /api/v1/reports/`, per IP for anonymous visitors."""
    share = _live(token)
    throttle = FairUseThrottle()
    if not throttle.allow_request(request, _ReportScope()):
        return HttpResponse("Too many reports. Please try again later.", status=429, content_type="text/plain")
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _render(request, share, form, status=400)
    report_file(
        item=share.recipe.moderation,
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
        reporter=request.user if request.user.is_authenticated else None,
        reporter_key=reporter_key(request),
    )
    return redirect(f"{request.path.removesuffix('report/')}?reported=1")


def reporter_key(request) -> str:
    """Who is reporting, for collapsing repeats: the signed-in user, else a
    salted hash of the client IP (as the throttles see it), never the IP."""
    if request.user.is_authenticated:
        return str(request.user.pk)
    ip = FairUseThrottle().get_ident(request)
    return "ip:" + hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:60]
