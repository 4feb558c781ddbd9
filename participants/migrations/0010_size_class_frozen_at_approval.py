from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("participants", "0009_fill_size_class_at_approval")]

    operations = [
        migrations.AddConstraint(
            model_name='application',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('decided_on__isnull', False), models.Q(('status', 'rejected'), _negated=True), ('size_class_at_approval__in', ['micro', 'small', 'medium', 'large', 'non_profit', 'unknown'])), models.Q(models.Q(('decided_on__isnull', False), models.Q(('status', 'rejected'), _negated=True), _negated=True), ('size_class_at_approval', '')), _connector='OR'), name='application_size_class_frozen_at_approval'),
        ),
    ]
