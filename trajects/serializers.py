from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from trajects import services
from trajects.models import CapacityPeriod, Traject


class TrajectCodeField(serializers.SlugRelatedField):
    """A traject given by its code, as every API body names it."""

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


class CapacityPeriodSerializer(serializers.ModelSerializer):
    traject = TrajectCodeField()
    taken = serializers.IntegerField(read_only=True)
    free = serializers.IntegerField(read_only=True)

    class Meta:
        model = CapacityPeriod
        fields = ["id", "traject", "start", "end", "places", "taken", "free"]
        # The model's clean() checks overlap; the (traject, start) unique constraint is one of its cases.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # Once created, a period only changes its number of places; its dates hold approvals.
            for name in ("traject", "start", "end"):
                fields[name].read_only = True
        return fields

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError({"end": _("The period cannot end before it starts.")})
        return attrs

    def create(self, validated_data):
        return services.create_capacity_period(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.change_capacity_places(
            instance, places=validated_data.get("places", instance.places), by=self.context["request"].user
        )
