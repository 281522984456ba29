#include "Session.h"

#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/HeaderSearchOptions.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <unistd.h>

using namespace clang;

namespace safec {

namespace {
struct RuleInfo {
  const char *Id;
  const char *Hint;
};
// Indexed by Rule.
const RuleInfo RuleTable[] = {
    {"int-pointer-cast",
     "keep addresses typed; MMIO and physical memory go through the typed "
     "interfaces of the trusted headers"},
    {"pointer-cast",
     "keep one pointee type; use typed allocation or a byte view from a "
     "trusted header"},
    {"cast-qual", "keep the qualifier; copy the value if you need a mutable "
                  "one"},
    {"function-pointer-cast",
     "declare the function with exactly the type it is called through"},
    {"pointer-arithmetic",
     "index a true array (bounds-checked at run time) or use a bounds-checked "
     "slice from a trusted header"},
    {"inline-asm", "use the port I/O, register and interrupt helpers of the "
                   "trusted headers"},
    {"computed-goto", "use a switch statement or a table of function pointers"},
    {"union", "use a struct, or a tag plus one field per variant"},
    {"variadic", "take a fixed parameter list, or an array or slice of values"},
    {"setjmp", "return a result type and let callers propagate the error"},
    {"vla", "use an array with a compile-time bound, or typed allocation"},
    {"alloca", "use an array with a compile-time bound, or typed allocation"},
    {"raw-memory", "assign structs, loop over array elements, or use the "
                   "slice helpers of a trusted header"},
    {"halt", "return an error through a result type; the nano-core contains "
             "crate faults"},
    {"discarded-result",
     "check the result (status_ok) or return it to the caller"},
    {"sealed-field",
     "call the owning crate's functions to read or change this state"},
    {"symbol-rename", "call functions by their own names; export with "
                      "CRATE_EXPORT"},
    {"uninitialized-pointer",
     "initialize it: NULL for a pointer, = {} for a struct or array"},
    {"unsafe-marker",
     "name the crate with a reason in checker/allowlist.txt, or remove the "
     "unsafe operation"},
    {"trusted-header",
     "do not define, undefine or redefine names that trusted headers use"},
    {"trusted-only",
     "use the trusted header's macro built on it, which supplies what the "
     "function cannot check"},
    {"builtin", "use the operators of C or a helper of a trusted header; the "
                "allowed builtins are listed in docs/safe-c.md"},
    {"attribute", "drop the attribute; the attributes crate code may use are "
                  "listed in docs/safe-c.md"},
    {"pragma", "drop the pragma; crate code may use only '#pragma once'"},
    {"construct", "write it in the plain C subset of docs/safe-c.md"},
    {"bounds",
     "read or write the element directly (a[i] = v, a[i] += 1, x = a[i], "
     "a[i].f), or take its address with ARRAY_AT(a, i)"},
    {"flexible-array",
     "allocate arrays with HEAP_NEW_ARRAY and reach their items only as "
     "p->items[i]"},
    {"macro-operand", "give the trusted macro what its comment asks for"},
    {"stack-frame",
     "keep large buffers in typed heap allocations (HEAP_NEW, "
     "HEAP_NEW_ARRAY) or in static storage"},
    {"local-address",
     "return or keep a copy of the value, or allocate the object on the "
     "heap"},
    {"trusted-redeclaration",
     "include the trusted header and use its declaration"},
    {"halting",
     "only crates named for this operation, with a reason, in "
     "checker/operations.txt may use it; return an error instead"},
    {"restricted",
     "only crates named for this operation, with a reason, in "
     "checker/operations.txt may use it; ask the crate that owns it"},
    {"test-scratch",
     "keep state the crate needs in its own statics (a swap carries them "
     "through save and migrate hooks); KTEST_SCRATCH is for the statics "
     "of *_test.c and *_bench.c files only"},
};
static_assert(sizeof RuleTable / sizeof RuleTable[0] ==
                  static_cast<unsigned>(Rule::TestScratch) + 1,
              "one RuleTable entry per Rule");
} // namespace

const char *ruleId(Rule R) { return RuleTable[static_cast<unsigned>(R)].Id; }
const char *defaultHint(Rule R) {
  return RuleTable[static_cast<unsigned>(R)].Hint;
}

Session::Session(CompilerInstance &CI, Options O)
    : SM(CI.getSourceManager()), Diags(CI.getDiagnostics()),
      PP(CI.getPreprocessor()), Opts(std::move(O)), FM(CI.getFileManager()) {
  ErrorID = Diags.getCustomDiagID(DiagnosticsEngine::Error,
                                  "%0; hint: %1 [safe-c-%2]");
  WarningID = Diags.getCustomDiagID(DiagnosticsEngine::Warning,
                                    "%0; hint: %1 [safe-c-%2]");
  ConfigErrorID = Diags.getCustomDiagID(DiagnosticsEngine::Error,
                                        "safe-c checker: %0");
  SummaryID = Diags.getCustomDiagID(DiagnosticsEngine::Remark,
                                    "safe-c: %0 [safe-c-summary]");

  llvm::SmallString<256> Res(CI.getHeaderSearchOpts().ResourceDir);
  llvm::sys::path::append(Res, "include");
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(Res, Real))
    ResourceIncludeDir = std::string(Real.str());

  CrateName = Opts.Crate;
}

llvm::StringRef Session::realPath(FileID FID) {
  auto It = RealPathByFile.find(FID.getHashValue());
  if (It != RealPathByFile.end())
    return It->second;
  std::string Path;
  if (OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID))
    Path = FM.getCanonicalName(*FE).str();
  return RealPathByFile[FID.getHashValue()] = Path;
}

bool Session::underTrustedDir(llvm::StringRef Path) const {
  for (const std::string &Dir : Opts.TrustedDirs)
    if (Path.size() > Dir.size() + 1 && Path.starts_with(Dir) &&
        Path[Dir.size()] == '/')
      return true;
  return false;
}

bool Session::isTrustedFile(FileID FID) {
  if (FID.isInvalid())
    return false;
  auto It = TrustedByFile.find(FID.getHashValue());
  if (It != TrustedByFile.end())
    return It->second;
  bool Trusted = underTrustedDir(realPath(FID));
  TrustedByFile[FID.getHashValue()] = Trusted;
  return Trusted;
}

std::string Session::trustedRelativePath(FileID FID) {
  llvm::StringRef Path = realPath(FID);
  for (const std::string &Dir : Opts.TrustedDirs)
    if (Path.size() > Dir.size() + 1 && Path.starts_with(Dir) &&
        Path[Dir.size()] == '/')
      return Path.drop_front(Dir.size() + 1).str();
  return "";
}

bool Session::isPredefinedLoc(SourceLocation Loc) {
  if (Loc.isInvalid())
    return true;
  SourceLocation Sp = SM.getSpellingLoc(Loc);
  FileID FID = SM.getFileID(Sp);
  if (FID == PP.getPredefinesFileID())
    return true;
  llvm::StringRef Name = SM.getBufferName(Sp);
  return Name == "<built-in>" || Name == "<command line>";
}

// The spelling location that decides trust.  Tokens made by ## or # are
// spelled in the scratch buffer; judge them by where the paste was written.
SourceLocation Session::trustSpelling(SourceLocation Loc) {
  for (unsigned Depth = 0; Loc.isMacroID() && Depth < 64; ++Depth) {
    SourceLocation Sp = SM.getImmediateSpellingLoc(Loc);
    if (Sp.isFileID() && SM.getBufferName(Sp) == "<scratch space>") {
      Loc = SM.getImmediateExpansionRange(Loc).getBegin();
      continue;
    }
    Loc = Sp;
  }
  return Loc.isMacroID() ? SourceLocation() : Loc;
}

bool Session::isTrustedLoc(SourceLocation Loc) {
  if (Loc.isInvalid() || Opts.TrustedDirs.empty())
    return false;
  SourceLocation Sp = trustSpelling(Loc);
  return Sp.isValid() && isTrustedFile(SM.getFileID(Sp));
}

bool Session::isBenignMacroDefinition(SourceLocation DefLoc) {
  if (DefLoc.isInvalid())
    return true; // builtin macros such as __LINE__
  FileID FID = SM.getFileID(SM.getSpellingLoc(DefLoc));
  if (FID == PP.getPredefinesFileID())
    return true;
  llvm::StringRef Path = realPath(FID);
  return !ResourceIncludeDir.empty() && Path.starts_with(ResourceIncludeDir) &&
         Path.size() > ResourceIncludeDir.size() &&
         Path[ResourceIncludeDir.size()] == '/';
}

static std::string crateFromPath(llvm::StringRef Path,
                                 llvm::StringRef CratesDir) {
  llvm::StringRef Rest;
  if (!CratesDir.empty()) {
    if (!Path.starts_with(CratesDir) || Path.size() <= CratesDir.size() ||
        Path[CratesDir.size()] != '/')
      return "";
    Rest = Path.drop_front(CratesDir.size() + 1);
  } else {
    size_t At = Path.rfind("/crates/");
    if (At == llvm::StringRef::npos)
      return "";
    Rest = Path.drop_front(At + 8);
  }
  size_t Slash = Rest.find('/');
  if (Slash == llvm::StringRef::npos || Slash == 0)
    return ""; // a file directly in crates/ belongs to no crate
  return Rest.take_front(Slash).str();
}

std::string Session::crateOfFile(FileID FID) {
  if (FID.isInvalid())
    return "";
  if (FID == SM.getMainFileID()) {
    if (CrateName.empty())
      CrateName = crateFromPath(realPath(FID), Opts.CratesDir);
    return CrateName;
  }
  if (isTrustedFile(FID))
    return "";
  return crateFromPath(realPath(FID), Opts.CratesDir);
}

std::string Session::crateOfLoc(SourceLocation Loc) {
  SourceLocation Sp = trustSpelling(Loc);
  return Sp.isValid() ? crateOfFile(SM.getFileID(Sp)) : "";
}

void Session::addUnsafeSite(UnsafeSite Site) {
  SiteByNameLoc[Site.NameLoc.getRawEncoding()] = Sites.size();
  Sites.push_back(std::move(Site));
}

// A token lies inside an UNSAFE(...) expansion when one of the macro
// expansions it went through, following both the substitution of macro
// arguments and the expansion of macro bodies, is that UNSAFE expansion.
UnsafeSite *Session::coveringSite(SourceLocation Loc) {
  if (Sites.empty())
    return nullptr;
  llvm::SmallVector<SourceLocation, 8> Work{Loc};
  llvm::DenseSet<unsigned> Seen;
  while (!Work.empty()) {
    SourceLocation L = Work.pop_back_val();
    if (!L.isMacroID())
      continue;
    FileID FID = SM.getFileID(L);
    if (!Seen.insert(FID.getHashValue()).second)
      continue;
    const SrcMgr::ExpansionInfo &EI = SM.getSLocEntry(FID).getExpansion();
    if (EI.isMacroArgExpansion()) {
      Work.push_back(SM.getImmediateSpellingLoc(L));
    } else {
      auto It = SiteByNameLoc.find(EI.getExpansionLocStart().getRawEncoding());
      if (It != SiteByNameLoc.end())
        return &Sites[It->second];
    }
    Work.push_back(EI.getExpansionLocStart());
  }
  return nullptr;
}

void Session::report(Rule R, SourceLocation Loc, const std::string &Message,
                     llvm::StringRef Hint) {
  if (Loc.isInvalid() || isTrustedLoc(Loc))
    return;
  if (UnsafeSite *Site = coveringSite(Loc)) {
    if (Site->Allowed) {
      ++Site->Covered;
      return;
    }
  }
  reportAlways(R, Loc, Message, Hint);
}

void Session::reportAlways(Rule R, SourceLocation Loc,
                           const std::string &Message, llvm::StringRef Hint,
                           bool Warning) {
  // One diagnostic per rule and place: implicit and explicit forms of a node
  // (e.g. syntactic and semantic initializer lists) must not double-report.
  if (Loc.isValid() &&
      !Emitted.insert({static_cast<unsigned>(R), Loc.getRawEncoding()}).second)
    return;
  if (!Warning)
    ++Violations;
  Diags.Report(Loc, Warning ? WarningID : ErrorID)
      << Message << (Hint.empty() ? llvm::StringRef(defaultHint(R)) : Hint)
      << ruleId(R);
}

void Session::configError(const std::string &Message) {
  Diags.Report(ConfigErrorID) << Message;
}

void Session::finish() {
  unsigned Count = 0;
  llvm::json::Array SiteRecords;
  for (UnsafeSite &Site : Sites) {
    ++Count;
    if (Site.Allowed && Site.Covered == 0)
      reportAlways(Rule::UnsafeMarker, Site.NameLoc,
                   "UNSAFE site covers no unsafe operation",
                   "remove the marker", /*Warning=*/true);
    PresumedLoc P = SM.getPresumedLoc(SM.getFileLoc(Site.NameLoc));
    FileID FID = SM.getFileID(SM.getFileLoc(Site.NameLoc));
    std::string File = realPath(FID).str();
    if (File.empty() && P.isValid())
      File = P.getFilename();
    SiteRecords.push_back(llvm::json::Object{
        {"file", File},
        {"line", P.isValid() ? P.getLine() : 0},
        {"column", P.isValid() ? P.getColumn() : 0},
        {"reason", Site.Reason},
        {"crate", Site.Crate},
        {"allowed", Site.Allowed},
        {"covers", Site.Covered},
    });
  }

  std::string MainFile = realPath(SM.getMainFileID()).str();
  std::string Crate = crateOfFile(SM.getMainFileID());
  if (Opts.Summary) {
    std::string Line = "crate '" + (Crate.empty() ? "?" : Crate) + "': " +
                       std::to_string(Count) + " unsafe site" +
                       (Count == 1 ? "" : "s") + ", " +
                       std::to_string(Violations) + " violation" +
                       (Violations == 1 ? "" : "s") + " in " +
                       llvm::sys::path::filename(MainFile).str();
    Diags.Report(SummaryID) << Line;
  }

  if (Opts.ReportPath.empty())
    return;
  llvm::json::Object Record{
      {"crate", Crate},
      {"file", MainFile},
      {"unsafe_sites", Count},
      {"violations", Violations},
      {"allowlisted", Opts.Allowlist.count(Crate) != 0},
      {"sites", std::move(SiteRecords)},
  };
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  OS << llvm::json::Value(std::move(Record)) << '\n';
  OS.flush();
  // One write() on an O_APPEND descriptor, so records of parallel compiles
  // do not interleave.
  int FD;
  if (std::error_code EC = llvm::sys::fs::openFileForWrite(
          Opts.ReportPath, FD, llvm::sys::fs::CD_OpenAlways,
          llvm::sys::fs::OF_Append)) {
    configError("cannot open report file '" + Opts.ReportPath +
                "': " + EC.message());
    return;
  }
  const char *Data = Text.data();
  size_t Left = Text.size();
  while (Left > 0) {
    ssize_t N = ::write(FD, Data, Left);
    if (N <= 0) {
      configError("cannot write report file '" + Opts.ReportPath + "'");
      break;
    }
    Data += N;
    Left -= static_cast<size_t>(N);
  }
  ::close(FD);
}

} // namespace safec
