"""``/check``: the pre-deployment check in the browser, a plain HTML questionnaire (GET the form, POST answers).

The answers are turned into an intake record (``ingest.intake_form``), checked and converted by the code that reads
intake files, and evaluated by ``rules.check.check_deployments``, the function of ``dge-graph check``; the page adds
the Algoritmekader measures for each missing safeguard and the dates ahead (``query.intake_check``). Nothing is
stored: the answers can be downloaded as an intake YAML (``POST /check/intake.yaml``, importable with
``dge-graph import intake``) and the result as JSON (``POST /check/result.json``). Bad answers (an impossible date,
an unknown code or municipality) give the form again with the message at the field, status 422. Works without
JavaScript.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from dge_graph.api.deps import get_store
from dge_graph.api.guard import guarded
from dge_graph.api.pages import render, request_language
from dge_graph.ingest.intake import IntakeError
from dge_graph.ingest.intake_form import (
    Questionnaire,
    batch_from_form,
    form_from_record,
    intake_yaml,
    label_of,
    load_questionnaire,
    ontology_graph,
    source_label,
)
from dge_graph.kernel.terms import compact
from dge_graph.query.intake_check import (
    CheckContext,
    check_context,
    evaluate,
    intake_timeline,
    measures_for_finding,
    similar_for,
)
from dge_graph.rules.validate import Parameters
from dge_graph.store import Store

router = APIRouter(tags=["pre-deployment check"])

DATE_FIELD = "evaluationDate"  # the check's evaluation date (default today), as `dge-graph check --date`
FORM_TYPES = ("application/x-www-form-urlencoded",)


class CheckResources:
    """The questionnaire, the labels and the check context of one app (``app.state.check``), loaded on first use."""

    def __init__(self) -> None:
        self.questionnaire: Questionnaire = load_questionnaire(labels := ontology_graph())
        self.labels = labels
        self.context: CheckContext = check_context()


async def _resources(request: Request) -> CheckResources:
    state = request.app.state
    if getattr(state, "check", None) is None:
        state.check = await run_in_threadpool(CheckResources)
    return state.check


class FormProblem(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


async def _answers(request: Request) -> list[tuple[str, str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        raise FormProblem({"": f"expected a form post ({FORM_TYPES[0]}), got {content_type or 'no content type'}"})
    body = (await request.body()).decode("utf-8", errors="replace")
    return parse_qsl(body, keep_blank_values=True)


def _multi(answers: list[tuple[str, str]]) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for key, value in answers:
        form.setdefault(key, []).append(value)
    return form


def _parameters(form: dict[str, list[str]], lang: str) -> Parameters:
    text = next((v.strip() for v in form.get(DATE_FIELD, []) if v.strip()), "")
    if not text:
        return Parameters(evaluation_date=dt.date.today())
    try:
        return Parameters(evaluation_date=dt.date.fromisoformat(text))
    except ValueError:
        message = (f"{text!r} is geen bestaande datum (JJJJ-MM-DD)" if lang == "nl"
                   else f"{text!r} is not a valid date (YYYY-MM-DD)")
        raise FormProblem({DATE_FIELD: message}) from None


def _field_errors(exc: IntakeError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in exc.problems:
        key = problem.key or ""
        if key == "id" and problem.reason == "required key is missing":
            key = "title"  # the form derives the id from the title
        errors.setdefault(key, problem.reason)
    return errors


async def _checked(resources: CheckResources, form: dict[str, list[str]], lang: str):
    """The evaluation parameters, the record and the batch of the answers; ``FormProblem`` with every problem."""
    errors: dict[str, str] = {}
    parameters = record = batch = None
    try:
        parameters = _parameters(form, lang)
    except FormProblem as problem:
        errors.update(problem.errors)
    try:
        record, batch = await run_in_threadpool(batch_from_form, form, resources.questionnaire)
    except IntakeError as exc:
        errors.update(_field_errors(exc))
    if errors:
        raise FormProblem(errors)
    return parameters, record, batch


async def _evaluate(request: Request, resources: CheckResources, form: dict[str, list[str]], lang: str) -> dict:
    parameters, record, batch = await _checked(resources, form, lang)
    report = await run_in_threadpool(evaluate, resources.context, batch.graph, batch.deployments, parameters,
                                     "check-form")
    similar = {}
    for check in report.deployments:
        similar[check.deployment] = await guarded(request, similar_for, batch.graph.serialize(format="nt"),
                                                  str(check.deployment))
    measures = {
        (check.deployment, f.rule_id): await run_in_threadpool(measures_for_finding, resources.context, check,
                                                               f.rule_id)
        for check in report.deployments for f in check.findings
    }
    timeline = await run_in_threadpool(intake_timeline, resources.context, batch.graph,
                                       [d.deployment for d in report.deployments], parameters)
    return {"record": record, "report": report, "similar": similar, "measures": measures, "timeline": timeline}


def _result_json(result: dict) -> dict:
    report = result["report"]
    body = report.as_dict()
    body["source"] = "/check"
    for entry, check in zip(body["deployments"], report.deployments):
        entry["similarDeployments"] = [
            {"iri": str(s.deployment), "title": s.title, "municipality": s.municipality and compact(s.municipality),
             "shared": s.shared} for s in result["similar"][check.deployment]]
        entry["measures"] = {
            f.rule_id: [{"safeguard": str(fm.safeguard) if fm.safeguard else None,
                         "measures": [m.as_dict() for m in fm.measures]}
                        for fm in result["measures"][(check.deployment, f.rule_id)]]
            for f in check.findings}
    body["timeline"] = result["timeline"].as_dict()
    body["intake"] = {"deployments": [result["record"]]}
    return body


def _page(request: Request, resources: CheckResources, lang: str, form: dict[str, list[str]],
          errors: dict[str, str] | None = None, result: dict | None = None, status_code: int = 200) -> Response:
    labels = resources.labels

    def label(iri) -> str:
        return label_of(labels, iri, lang) or compact(iri)

    def source(iri) -> str:
        return source_label(labels, iri, lang)

    return render(request, "check.html", status_code=status_code, lang=lang, questionnaire=resources.questionnaire,
                  form=form, errors=errors or {}, error_questions={k.split(".")[0] for k in errors or {}},
                  result=result, label=label, source_label=source, compact=compact,
                  date_field=DATE_FIELD, hidden=list(_hidden(form)), headers={"Cache-Control": "no-store"})


def _hidden(form: dict[str, list[str]]):
    for key, values in form.items():
        for value in values:
            if value.strip():
                yield key, value


@router.get("/check", name="check_form", summary="The pre-deployment check: the questionnaire (HTML)",
            response_class=Response, responses={200: {"content": {"text/html": {}}}})
async def check_form(request: Request) -> Response:
    resources = await _resources(request)
    form = _multi(list(request.query_params.multi_items()))
    form.pop("lang", None)
    return _page(request, resources, request_language(request), form)


@router.post("/check", name="check_answers",
             summary="The pre-deployment check of the answers (HTML result; 422 with the form on bad answers)",
             response_class=Response, responses={200: {"content": {"text/html": {}}}, 422: {}})
async def check_answers(request: Request, store: Store = Depends(get_store)) -> Response:
    resources = await _resources(request)
    lang = request_language(request)
    form: dict[str, list[str]] = {}
    try:
        form = _multi(await _answers(request))
        result = await _evaluate(request, resources, form, lang)
    except FormProblem as problem:
        return _page(request, resources, lang, form, problem.errors, status_code=422)
    return _page(request, resources, lang, form, result=result)


@router.post("/check/intake.yaml", name="check_intake_yaml", summary="The answers as an intake YAML file",
             response_class=Response, responses={200: {"content": {"application/yaml": {}}}, 422: {}})
async def check_intake_yaml(request: Request) -> Response:
    resources = await _resources(request)
    lang = request_language(request)
    form: dict[str, list[str]] = {}
    try:
        form = _multi(await _answers(request))
        _parameters_, record, _batch = await _checked(resources, form, lang)
    except FormProblem as problem:
        return _page(request, resources, lang, form, problem.errors, status_code=422)
    return Response(intake_yaml(record), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{record["id"]}.yaml"'})


@router.post("/check/result.json", name="check_result_json",
             summary="The pre-deployment check of the answers as JSON (as `dge-graph check --format json`, "
             "with measures, similar deployments and the timeline)",
             response_class=Response, responses={200: {"content": {"application/json": {}}}, 422: {}})
async def check_result_json(request: Request, store: Store = Depends(get_store)) -> Response:
    resources = await _resources(request)
    lang = request_language(request)
    try:
        form = _multi(await _answers(request))
        result = await _evaluate(request, resources, form, lang)
    except FormProblem as problem:
        return JSONResponse({"errors": problem.errors}, status_code=422)
    body: dict[str, Any] = _result_json(result)
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{result["record"]["id"]}.json"'})


__all__ = ["router", "form_from_record"]
