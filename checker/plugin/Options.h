// Plugin arguments and the allowlists of the safe-C checker.
#ifndef SAFEC_OPTIONS_H
#define SAFEC_OPTIONS_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <string>
#include <vector>

namespace safec {

enum class Mode {
  Check,      // crate code: every rule, then the verdict record
  Signatures, // trusted code (the nano-core): only its signature record
};

struct Options {
  std::vector<std::string> TrustedDirs; // real paths, no trailing slash
  std::string Crate;                    // crate being compiled ("" = unknown)
  std::string CratesDir;                // real path of the crates/ folder, optional
  std::string AllowlistPath;
  std::string ReportPath;               // JSON-lines file to append to, optional
  std::string TrustedNamesPath;         // names the trusted headers declare
  std::string DumpTrustedNamesPath;     // write those names (build step)
  std::string OperationsPath;           // who may use halting and restricted operations
  llvm::StringSet<> ExtraHaltFunctions; // from halt-functions=a,b
  bool Summary = true;
  Mode RunMode = Mode::Check;
  // Largest stack frame a crate function may have, in bytes: below the
  // 4 KiB guard page under every task stack, so no frame steps over it.
  unsigned FrameLimit = 3072;
  llvm::StringMap<std::string> Allowlist; // crate -> reason (UNSAFE sites)
  // crate -> halting or restricted operation -> reason.
  llvm::StringMap<llvm::StringMap<std::string>> Operations;
  // name -> trusted header that declares it (relative to its trusted dir).
  llvm::StringMap<std::string> TrustedNames;
};

// Parses "name=value" plugin arguments into Opts.  Every problem is appended
// to Errors as a one-line message; the caller turns them into diagnostics
// (a plugin that rejects its arguments is silently skipped by clang, which
// must never happen to a checker).
void parseOptions(const std::vector<std::string> &Args, Options &Opts,
                  std::vector<std::string> &Errors);

// Reads the files the arguments name: the UNSAFE allowlist ("crate: reason"),
// the operations allowlist ("crate: operation: reason") and the trusted
// names ("name header" or "tag:name header" per line).
void loadLists(Options &Opts, std::vector<std::string> &Errors);

} // namespace safec

#endif
