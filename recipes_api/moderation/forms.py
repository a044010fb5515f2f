from django import forms

from recipes_api.moderation.models import Report


class ReportForm(forms.Form):
    """The share page's report form."""

    reason = forms.ChoiceField(choices=Report.Reason.choices)
    note = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    """The reason an admin action asks for before it acts."""

    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
