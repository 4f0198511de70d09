# The owner's consent that an institution it shared a document with may attach the document to
# its own processes and send it on (documents.access.FORWARD).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='document',
            options={
                'ordering': ['-created_at', '-pk'],
                'permissions': [
                    ('forward_document', "Attach to the institution's own processes and send on")
                ],
                'verbose_name': 'document',
                'verbose_name_plural': 'documents',
            },
        ),
    ]
