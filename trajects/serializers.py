from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from trajects.models import Traject


class TrajectCodeField(serializers.SlugRelatedField):
    """A traject given by its code, as every API body names it."""

    default_error_messages = {"does_not_exist": _("Unknown traject: {value}.")}

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Traject.objects.all(), **kwargs)

    def to_internal_value(self, data):
        # PostgreSQL cannot compare text holding NUL; refused here, it is a 400 rather than a DataError.
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class TrajectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Traject
        fields = ["id", "code", "name", "start_date", "allowed_size_classes", "description"]
