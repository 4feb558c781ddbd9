"""The work queue (Werkbak): the officers' start page, with everything waiting for them, each line linked to
where it is dealt with. The financial service may open it too and sees the sections it acts on (the
declarations to pay, the budget); other roles get 403, anonymous visitors the login page."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from participants.selectors import work_queue as read_work_queue
from voorsprong.roles import Role
from voorsprong.views import role_required

# Lines shown per section; the section's count and its full list tell the rest.
LINES_PER_SECTION = 10


@role_required(Role.OFFICER, Role.FINANCE)
@require_GET
def work_queue(request):
    today = timezone.localdate()
    sections = read_work_queue(request.user, today, lines=LINES_PER_SECTION)
    return render(
        request,
        "participants/work_queue.html",
        {"sections": sections},
    )
