"""資料匯入 (管理者): upload a master-data file or the reviewer roster, watch the check, confirm,
watch the load; the history of every import with its file. The services are review.imports."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.errors import DomainError
from proteacher.review import imports as services
from proteacher.review.import_forms import ImportUploadForm
from proteacher.review.models import ImportRun

PAGE_SIZE = 50


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def imports_page(request):
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = services.submit(
                    form.cleaned_data["kind"],
                    form.cleaned_data["file"],
                    actor=request.user,
                    by=request.user.name or request.user.username,
                )
            except DomainError as refusal:
                form.add_error("file", refusal.message)
            else:
                # What the worker is doing is the progress panel's to say: it changes while the page is open.
                messages.success(request, f"已上傳「{run.file_name}」。")
                return redirect("review:import_run", pk=run.pk)
        messages.error(request, form.first_error())
        status = 400
    else:
        form = ImportUploadForm()
    history = ImportRun.objects.select_related("created_by").order_by("-created_at", "-pk")
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/imports.html",
        {
            "form": form,
            "kinds": services.KINDS.values(),
            "page": page,
            "max_size": services.file_size(services.max_bytes()),
        },
        status=status,
    )


def _run_context(run: ImportRun) -> dict:
    return {"run": run, "kind": services.KINDS.get(run.kind), "size": services.file_size(run.size)}


@roles_required(Role.ADMIN)
@require_safe
def import_run(request, pk):
    run = get_object_or_404(ImportRun, pk=pk)
    return render(request, "review/import_run.html", _run_context(run))


@roles_required(Role.ADMIN)
@require_safe
def import_progress(request, pk):
    """The run's state and bar, which the run page asks for every second until it is finished."""
    run = get_object_or_404(ImportRun, pk=pk)
    return render(request, "review/import_progress.html", _run_context(run))


@roles_required(Role.ADMIN)
@require_POST
def import_confirm(request, pk):
    run = get_object_or_404(ImportRun, pk=pk)
    try:
        services.confirm(run, request.user)
    except DomainError as refusal:
        messages.warning(request, refusal.message)
    else:
        messages.success(request, "已確認匯入。")
    return redirect("review:import_run", pk=run.pk)


@roles_required(Role.ADMIN)
@require_safe
def import_file(request, pk):
    """The file as it was uploaded, under its own name."""
    run = get_object_or_404(ImportRun, pk=pk)
    try:
        handle = run.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("檔案已不存在") from None
    return FileResponse(handle, as_attachment=True, filename=run.file_name)


@roles_required(Role.ADMIN)
@require_safe
def import_sample(request, kind):
    found = services.KINDS.get(kind)
    if found is None or not found.sample:
        raise Http404("沒有這種範例檔")
    path = settings.BASE_DIR / "samples" / found.sample
    if not path.is_file():
        raise Http404("沒有這種範例檔")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"範例_{found.label}{path.suffix}")
