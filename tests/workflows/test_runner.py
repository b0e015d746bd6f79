"""The harness on small synthetic workflows: each GitHub semantic, with an exact outcome."""

from __future__ import annotations

import textwrap

import pytest

from tests.workflows.actions import ActionInputError
from tests.workflows.conftest import publish, push_event
from tests.workflows.harness import WorkflowError, WorkflowRun, World, run_workflow

REPO = "acme/app"


def run(world: World, workflow: str, files: dict[str, str] | None = None) -> WorkflowRun:
    sha = publish(
        world, REPO, {".github/workflows/w.yml": textwrap.dedent(workflow), **(files or {})}
    )
    return run_workflow(world, path=".github/workflows/w.yml", event=push_event(REPO, sha))


def test_env_levels_defaults_outputs_and_file_commands(world: World) -> None:
    result = run(
        world,
        """
        on: push
        env: {LEVEL: workflow, W: w}
        jobs:
          one:
            runs-on: ubuntu-latest
            env: {LEVEL: job}
            defaults: {run: {working-directory: sub}}
            outputs:
              text: ${{ steps.out.outputs.text }}
              where: ${{ steps.out.outputs.where }}
            steps:
              - run: mkdir -p sub
                working-directory: .
              - id: out
                env: {LEVEL: step}
                run: |
                  echo "where=$(basename "$PWD") $LEVEL $W" >> "$GITHUB_OUTPUT"
                  { echo 'text<<EOF'; echo 'line 1'; echo 'line 2'; echo 'EOF'; } >> "$GITHUB_OUTPUT"
                  echo "FROM_ENV_FILE=set" >> "$GITHUB_ENV"
                  mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool ran\\n' > "$RUNNER_TEMP/bin/mytool"
                  chmod +x "$RUNNER_TEMP/bin/mytool" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
                  echo '### summary' >> "$GITHUB_STEP_SUMMARY"
              - id: later
                run: echo "seen=$FROM_ENV_FILE ${{ env.FROM_ENV_FILE }} $LEVEL $(mytool)" >> "$GITHUB_OUTPUT"
        """,
    )
    job = result.job("one")
    assert result.conclusion == "success", job.log
    assert job.outputs == {"text": "line 1\nline 2", "where": "sub step w"}
    assert job.step("later").outputs == {"seen": "set set job tool ran"}
    assert job.summary == "### summary\n"


def test_bash_runs_with_pipefail_and_a_failure_skips_the_rest(world: World) -> None:
    result = run(
        world,
        """
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - id: pipe
                run: false | true
              - id: skipped
                run: echo never
              - id: cleanup
                if: always()
                run: echo "cleanup=yes" >> "$GITHUB_OUTPUT"
              - id: on-failure
                if: failure()
                run: echo ok
              - id: on-success
                if: success()
                run: echo never
        """,
    )
    job = result.job("one")
    assert result.conclusion == "failure"
    assert job.result == "failure"
    assert [(s.id, s.outcome) for s in job.steps] == [
        ("pipe", "failure"),
        ("skipped", "skipped"),
        ("cleanup", "success"),
        ("on-failure", "success"),
        ("on-success", "skipped"),
    ]


def test_continue_on_error_keeps_the_job_green(world: World) -> None:
    result = run(
        world,
        """
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - id: flaky
                continue-on-error: true
                run: exit 3
              - id: next
                run: echo "saw=${{ steps.flaky.outcome }}/${{ steps.flaky.conclusion }}" >> "$GITHUB_OUTPUT"
        """,
    )
    assert result.conclusion == "success"
    assert result.job("one").step("next").outputs == {"saw": "failure/success"}


def test_needs_order_outputs_and_skips(world: World) -> None:
    result = run(
        world,
        """
        on: push
        jobs:
          last:
            needs: [first, broken]
            runs-on: ubuntu-latest
            steps: [{run: echo never}]
          report:
            needs: [first, broken]
            if: always()
            runs-on: ubuntu-latest
            steps:
              - id: r
                run: echo "got=${{ needs.first.outputs.value }} ${{ needs.broken.result }}" >> "$GITHUB_OUTPUT"
          first:
            runs-on: ubuntu-latest
            outputs: {value: "${{ steps.s.outputs.value }}"}
            steps:
              - id: s
                run: echo "value=42" >> "$GITHUB_OUTPUT"
          broken:
            runs-on: ubuntu-latest
            steps: [{run: exit 1}]
          gated:
            if: github.ref == 'refs/heads/other'
            runs-on: ubuntu-latest
            steps: [{run: exit 1}]
        """,
    )
    assert {j: r.result for j, r in result.jobs.items()} == {
        "first": "success",
        "broken": "failure",
        "gated": "skipped",
        "last": "skipped",
        "report": "success",
    }
    assert result.job("report").step("r").outputs == {"got": "42 failure"}


REUSABLE = """
on:
  workflow_call:
    inputs:
      flag: {type: boolean, default: true}
      count: {type: number, required: true}
      name: {type: string, default: anonymous}
    secrets:
      TOKEN: {required: true}
      OPTIONAL: {required: false}
    outputs:
      said: {value: "${{ jobs.inner.outputs.said }}"}
jobs:
  inner:
    runs-on: ubuntu-latest
    outputs: {said: "${{ steps.say.outputs.said }}"}
    steps:
      - id: say
        env:
          TOKEN: ${{ secrets.TOKEN }}
          OPTIONAL: ${{ secrets.OPTIONAL }}
        run: |
          echo "said=${{ inputs.flag }} ${{ inputs.count }} ${{ inputs.name }} $TOKEN [$OPTIONAL]" >> "$GITHUB_OUTPUT"
          echo "who=${{ job.workflow_repository }} ${{ job.workflow_sha }} ${{ job.workflow_ref }}" >> "$GITHUB_OUTPUT"
          echo "caller=${{ github.repository }} ${{ github.workflow }}" >> "$GITHUB_OUTPUT"
"""


def caller(with_: str, secrets: str = "{TOKEN: '${{ secrets.CALLER_TOKEN }}'}") -> str:
    return f"""
    name: caller
    on: push
    jobs:
      call:
        uses: tools/shared/.github/workflows/r.yml@v1
        with: {with_}
        secrets: {secrets}
      after:
        needs: call
        runs-on: ubuntu-latest
        steps:
          - id: s
            run: echo "from=${{{{ needs.call.outputs.said }}}}" >> "$GITHUB_OUTPUT"
    """


def run_caller(world: World, workflow: str) -> tuple[WorkflowRun, str]:
    tools = publish(world, "tools/shared", {".github/workflows/r.yml": REUSABLE}, tag="v1")
    sha = publish(world, REPO, {".github/workflows/w.yml": textwrap.dedent(workflow)})
    event = push_event(REPO, sha)
    done = run_workflow(
        world, path=".github/workflows/w.yml", event=event, secrets={"CALLER_TOKEN": "s3cret"}
    )
    return done, tools


def test_reusable_workflow_inputs_secrets_outputs_and_identity(world: World) -> None:
    result, tools = run_caller(world, caller("{count: 2}"))
    assert result.conclusion == "success", result.job("call").log
    say = result.job("call").step("say").outputs
    assert say["said"] == "true 2 anonymous s3cret []"
    assert say["who"] == f"tools/shared {tools} tools/shared/.github/workflows/r.yml@v1"
    assert say["caller"] == f"{REPO} caller"
    assert result.job("after").step("s").outputs == {"from": "true 2 anonymous s3cret []"}


@pytest.mark.parametrize(
    ("with_", "secrets", "message"),
    [
        ("{flag: yes-please, count: 1}", None, "inputs.flag: expected a boolean, got 'yes-please'"),
        ("{name: x}", None, "inputs.count is required"),
        ("{count: 1, colour: red}", None, r"unexpected inputs \['colour'\]"),
        ("{count: 1}", "{OTHER: x}", r"secrets not declared by workflow_call: \['OTHER'\]"),
        ("{count: 1}", "{}", "secret TOKEN is required"),
    ],
)
def test_reusable_workflow_contract_is_enforced(
    world: World, with_: str, secrets: str | None, message: str
) -> None:
    workflow = caller(with_) if secrets is None else caller(with_, secrets)
    with pytest.raises(WorkflowError, match=message):
        run_caller(world, workflow)


ACTION = """
name: local
inputs:
  greeting: {default: hello}
  who: {required: true}
  token: {default: "${{ github.token }}"}
outputs:
  said: {value: "${{ steps.speak.outputs.said }}"}
runs:
  using: composite
  steps:
    - id: speak
      shell: bash
      env: {WHO: "${{ inputs.who }}"}
      run: |
        echo "said=${{ inputs.greeting }} $WHO $OUTER ${#TOKEN_LEN}" >> "$GITHUB_OUTPUT"
        test -f "$GITHUB_ACTION_PATH/action.yml"
    - if: inputs.greeting == 'fail'
      shell: bash
      run: exit 1
"""


def composite_workflow(greeting: str) -> str:
    return f"""
    on: push
    jobs:
      one:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - id: act
            uses: ./act
            with: {{who: world, greeting: {greeting}}}
            env: {{OUTER: outer}}
          - id: after
            if: always()
            run: echo "said=${{{{ steps.act.outputs.said }}}} ${{{{ steps.act.outcome }}}}" >> "$GITHUB_OUTPUT"
    """


def test_a_local_composite_action_is_expanded(world: World) -> None:
    result = run(world, composite_workflow("hi"), {"act/action.yml": ACTION})
    assert result.conclusion == "success", result.job("one").log
    assert result.job("one").step("after").outputs == {"said": "hi world outer 0 success"}


def test_a_failing_composite_step_fails_the_action(world: World) -> None:
    result = run(world, composite_workflow("fail"), {"act/action.yml": ACTION})
    assert result.conclusion == "failure"
    assert result.job("one").step("after").outputs == {"said": "fail world outer 0 failure"}


def test_checkout_of_another_repository_and_ref_into_a_path(world: World) -> None:
    tools = publish(world, "tools/shared", {"VERSION": "one"}, tag="v1")
    publish(world, "tools/shared", {"VERSION": "two"})
    result = run(
        world,
        """
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with: {persist-credentials: false}
              - uses: actions/checkout@v4
                with: {repository: tools/shared, ref: v1, path: .tools}
              - id: read
                run: |
                  echo "version=$(cat .tools/VERSION) $(git -C .tools rev-parse HEAD)" >> "$GITHUB_OUTPUT"
                  echo "mine=$(cat mine.txt)" >> "$GITHUB_OUTPUT"
        """,
        {"mine.txt": "app"},
    )
    assert result.job("one").step("read").outputs == {"version": f"one {tools}", "mine": "app"}


def test_setup_python_gives_a_fresh_interpreter_without_mlci(world: World) -> None:
    result = run(
        world,
        """
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/setup-python@v5
                with: {python-version: "3.11"}
              - id: py
                run: |
                  echo "prefix=$(python -c 'import sys; print(sys.prefix == sys.base_prefix)')" >> "$GITHUB_OUTPUT"
                  echo "mlci=$(python -c 'import importlib.util as u; print(u.find_spec("mlci.cli") is None)')" >> "$GITHUB_OUTPUT"
                  echo "yaml=$(python -c 'import yaml; print(1)')" >> "$GITHUB_OUTPUT"
        """,
    )
    assert result.job("one").step("py").outputs == {"prefix": "False", "mlci": "True", "yaml": "1"}


@pytest.mark.parametrize(
    ("mode", "conclusion", "annotation"),
    [("warn", "success", "warning"), ("error", "failure", "error"), ("ignore", "success", None)],
)
def test_upload_artifact_if_no_files_found(
    world: World, mode: str, conclusion: str, annotation: str | None
) -> None:
    result = run(
        world,
        f"""
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v4
                with: {{name: report, path: missing.json, if-no-files-found: {mode}}}
        """,
    )
    assert result.conclusion == conclusion
    assert [a.level for a in result.job("one").annotations] == ([annotation] if annotation else [])
    assert not (result.artifacts / "report").exists()
    assert "No files were found with the provided path: missing.json." in result.job("one").log


def test_upload_artifact_copies_the_files(world: World) -> None:
    result = run(
        world,
        """
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - run: mkdir -p out && echo '{}' > out/r.json && echo '<p>' > out/r.html
              - uses: actions/upload-artifact@v4
                with:
                  name: report
                  path: |
                    out/r.json
                    out/r.html
        """,
    )
    assert result.conclusion == "success"
    assert sorted(p.name for p in (result.artifacts / "report").iterdir()) == ["r.html", "r.json"]


@pytest.mark.parametrize(
    ("step", "error", "message"),
    [
        ("{uses: actions/github-script@v7}", WorkflowError, "no local stand-in"),
        ("{run: echo, shelll: bash}", WorkflowError, r"does not implement: \['shelll'\]"),
        ("{run: 'echo ${{ matrix.x }}'}", ValueError, "unknown context 'matrix'"),
        ("{uses: actions/checkout@v4, with: {sparse-checkout: x}}", ActionInputError, "sparse"),
        ("{run: echo '::set-output name=x::1'}", ValueError, "::set-output:: is not supported"),
    ],
)
def test_unknown_syntax_fails_the_test(
    world: World, step: str, error: type[Exception], message: str
) -> None:
    workflow = f"""
    on: push
    jobs:
      one:
        runs-on: ubuntu-latest
        steps: [{step}]
    """
    with pytest.raises(error, match=message):
        run(world, workflow)


def test_an_event_the_workflow_does_not_listen_to_raises(world: World) -> None:
    with pytest.raises(WorkflowError, match=r"not triggered by push \(on: \['pull_request'\]\)"):
        run(world, "on: pull_request\njobs: {}\n")


def test_workflow_dispatch_inputs_are_typed_and_vars_and_runner_are_contexts(world: World) -> None:
    workflow = """
    on:
      workflow_dispatch:
        inputs:
          dry: {type: boolean, default: false}
          to: {type: string, default: ""}
    jobs:
      one:
        runs-on: ubuntu-latest
        steps:
          - id: s
            if: inputs.dry && inputs.to == ''
            run: echo "seen=${{ vars.STAGE }} ${{ runner.os }} ${{ github.event.inputs.dry }}" >> "$GITHUB_OUTPUT"
    """
    sha = publish(world, REPO, {".github/workflows/w.yml": textwrap.dedent(workflow)})
    event = push_event(REPO, sha)
    dispatch = type(event)("workflow_dispatch", {"inputs": {"dry": "true"}}, REPO, event.ref, sha)
    result = run_workflow(
        world, path=".github/workflows/w.yml", event=dispatch, vars={"STAGE": "prod"}
    )
    assert result.job("one").step("s").outputs == {"seen": "prod Linux true"}
