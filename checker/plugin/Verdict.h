// What a compile leaves in its object for the tools after it: the verdict
// (this file passed the checker) and the type signature of every function
// and object it defines for others or uses from them.
#ifndef SAFEC_VERDICT_H
#define SAFEC_VERDICT_H

#include "Session.h"

#include "clang/AST/ASTContext.h"
#include "clang/Frontend/CompilerInstance.h"

namespace safec {

// The section that carries both, a C identifier so the nano-core finds its
// own through __start_/__stop_ symbols.  Format: docs/safe-c.md, "The
// verdict and the signatures".
inline constexpr const char *VerdictSection = "theseus_safec";

// Text of this translation unit's record: a header line, then one line per
// exported definition ("def") and per use of another unit's symbol ("ref").
std::string buildVerdictRecord(Session &S, clang::ASTContext &Ctx,
                               unsigned UnsafeSites);

// Hands a static array holding Text, placed in VerdictSection, to the code
// generator (the plugin runs before it).
void emitVerdictRecord(clang::CompilerInstance &CI, clang::ASTContext &Ctx,
                       const std::string &Text);

// For the build: every name a trusted header declares, "name header" or
// "tag:name header" per line, into Path.
void dumpTrustedNames(Session &S, clang::ASTContext &Ctx,
                      const std::string &Path);

} // namespace safec

#endif
