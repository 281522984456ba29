// Plugin arguments and the unsafe-site allowlist of the safe-C checker.
#ifndef SAFEC_OPTIONS_H
#define SAFEC_OPTIONS_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <string>
#include <vector>

namespace safec {

struct Options {
  std::vector<std::string> TrustedDirs; // real paths, no trailing slash
  std::string Crate;                    // crate being compiled ("" = unknown)
  std::string CratesDir;                // real path of the crates/ folder, optional
  std::string AllowlistPath;
  std::string ReportPath;               // JSON-lines file to append to, optional
  llvm::StringSet<> ExtraHaltFunctions; // from halt-functions=a,b
  bool Summary = true;
  llvm::StringMap<std::string> Allowlist; // crate -> reason
};

// Parses "name=value" plugin arguments into Opts.  Every problem is appended
// to Errors as a one-line message; the caller turns them into diagnostics
// (a plugin that rejects its arguments is silently skipped by clang, which
// must never happen to a checker).
void parseOptions(const std::vector<std::string> &Args, Options &Opts,
                  std::vector<std::string> &Errors);

// Reads "crate: reason" lines ('#' starts a comment) into Opts.Allowlist.
void loadAllowlist(Options &Opts, std::vector<std::string> &Errors);

} // namespace safec

#endif
