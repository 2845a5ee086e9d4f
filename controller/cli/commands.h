// The subcommands of `converge`. Each takes argv after the subcommand name and
// returns the process exit code. Output goes to stdout, diagnostics to stderr.
#pragma once

namespace converge::cli {

int RunValidate(int argc, char** argv);
int RunSchema(int argc, char** argv);
int RunSim(int argc, char** argv);
int RunPlan(int argc, char** argv);
int RunApply(int argc, char** argv);
int RunRun(int argc, char** argv);
int RunStatus(int argc, char** argv);
int RunReconcile(int argc, char** argv);

}  // namespace converge::cli
