// Per-compile state of the safe-C checker: where code comes from (trusted
// header, which crate), the UNSAFE sites seen by the preprocessor, and the
// diagnostics it emits.
#ifndef SAFEC_SESSION_H
#define SAFEC_SESSION_H

#include "Options.h"

#include "clang/Basic/SourceLocation.h"
#include "clang/Frontend/CompilerInstance.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <string>
#include <vector>

namespace safec {

enum class Rule : unsigned {
  IntPointerCast,
  PointerCast,
  CastQual,
  FunctionPointerCast,
  PointerArithmetic,
  InlineAsm,
  ComputedGoto,
  Union,
  Variadic,
  Setjmp,
  Vla,
  Alloca,
  RawMemory,
  Halt,
  DiscardedResult,
  SealedField,
  SymbolRename,
  UninitializedPointer,
  UnsafeMarker,
  TrustedHeader,
  TrustedOnly,
  Builtin,
  Attribute,
  Pragma,
  Construct,
  Bounds,
  FlexibleArray,
  MacroOperand,
  StackFrame,
  LocalAddress,
  TrustedRedeclaration,
  Halting,
  Restricted,
  TestScratch,
};

const char *ruleId(Rule R);
const char *defaultHint(Rule R);

struct UnsafeSite {
  clang::SourceLocation NameLoc; // the UNSAFE token; key of its expansion
  std::string Reason;
  std::string Crate;    // owner of the file that spells the site
  bool Allowed = false; // crate on the allowlist and reason well-formed
  unsigned Covered = 0; // violations it let pass
};

class Session {
public:
  Session(clang::CompilerInstance &CI, Options Opts);

  clang::SourceManager &SM;
  clang::DiagnosticsEngine &Diags;
  clang::Preprocessor &PP;
  const Options Opts;
  std::string CrateName; // Opts.Crate, or derived from the main file's path

  // Spelling of Loc lies in a file under a trusted include folder.
  bool isTrustedLoc(clang::SourceLocation Loc);
  bool isTrustedFile(clang::FileID FID);
  // The path of a trusted file relative to its trusted folder ("" if none).
  std::string trustedRelativePath(clang::FileID FID);
  // Loc lies in the compiler's predefines or a builtin buffer.
  bool isPredefinedLoc(clang::SourceLocation Loc);
  // Macro definitions that trusted headers may expand although they are not
  // trusted themselves: compiler builtins, predefines, clang's own headers.
  bool isBenignMacroDefinition(clang::SourceLocation DefLoc);
  // Crate a file belongs to: the main file is the crate being compiled;
  // other files by their path crates/NAME/...; "" for trusted or unknown.
  std::string crateOfFile(clang::FileID FID);
  std::string crateOfLoc(clang::SourceLocation Loc);

  // UNSAFE sites.
  void addUnsafeSite(UnsafeSite Site);
  UnsafeSite *coveringSite(clang::SourceLocation Loc);
  const std::vector<UnsafeSite> &sites() const { return Sites; }

  // A rule violation: dropped when spelled in a trusted header or covered by
  // an allowed UNSAFE site, otherwise an error.  Hint empty = rule default.
  void report(Rule R, clang::SourceLocation Loc, const std::string &Message,
              llvm::StringRef Hint = {});
  // Errors and warnings that no whitelist or marker can silence.
  void reportAlways(Rule R, clang::SourceLocation Loc,
                    const std::string &Message, llvm::StringRef Hint = {},
                    bool Warning = false);
  void configError(const std::string &Message);
  void finish(); // warnings for idle sites, summary remark, JSON record

  unsigned violations() const { return Violations; }

private:
  llvm::StringRef realPath(clang::FileID FID);
  clang::SourceLocation trustSpelling(clang::SourceLocation Loc);
  bool underTrustedDir(llvm::StringRef Path) const;

  clang::FileManager &FM;
  std::string ResourceIncludeDir;
  llvm::DenseMap<unsigned, bool> TrustedByFile;
  llvm::DenseMap<unsigned, std::string> RealPathByFile;
  std::vector<UnsafeSite> Sites;
  llvm::DenseMap<clang::SourceLocation::UIntTy, unsigned> SiteByNameLoc;
  llvm::DenseSet<std::pair<unsigned, clang::SourceLocation::UIntTy>> Emitted;
  unsigned ErrorID, WarningID, ConfigErrorID, SummaryID;
  unsigned Violations = 0;
};

} // namespace safec

#endif
