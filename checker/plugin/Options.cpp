#include "Options.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

namespace safec {

static bool validCrateName(llvm::StringRef Name) {
  if (Name.empty())
    return false;
  for (char C : Name)
    if (!(llvm::isDigit(C) || (C >= 'a' && C <= 'z') || C == '_'))
      return false;
  return true;
}

static bool realDir(llvm::StringRef Path, std::string &Out) {
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(Path, Real) || !llvm::sys::fs::is_directory(Real))
    return false;
  Out = std::string(Real.str());
  while (Out.size() > 1 && Out.back() == '/')
    Out.pop_back();
  return true;
}

void parseOptions(const std::vector<std::string> &Args, Options &Opts,
                  std::vector<std::string> &Errors) {
  for (const std::string &Arg : Args) {
    llvm::StringRef Name, Value;
    std::tie(Name, Value) = llvm::StringRef(Arg).split('=');
    bool HasValue = llvm::StringRef(Arg).contains('=');
    if (Name == "trusted-dir" && HasValue) {
      std::string Dir;
      if (!realDir(Value, Dir))
        Errors.push_back("trusted-dir '" + Value.str() + "' is not a directory");
      else
        Opts.TrustedDirs.push_back(Dir);
    } else if (Name == "crate" && HasValue) {
      if (!validCrateName(Value))
        Errors.push_back("crate name '" + Value.str() + "' is not [a-z0-9_]+");
      Opts.Crate = Value.str();
    } else if (Name == "crates-dir" && HasValue) {
      if (!realDir(Value, Opts.CratesDir))
        Errors.push_back("crates-dir '" + Value.str() + "' is not a directory");
    } else if (Name == "allowlist" && HasValue) {
      Opts.AllowlistPath = Value.str();
    } else if (Name == "report" && HasValue) {
      Opts.ReportPath = Value.str();
    } else if (Name == "halt-functions" && HasValue) {
      llvm::SmallVector<llvm::StringRef, 8> Names;
      Value.split(Names, ',', -1, /*KeepEmpty=*/false);
      for (llvm::StringRef N : Names)
        Opts.ExtraHaltFunctions.insert(N.trim());
    } else if (Name == "summary" && (Value == "0" || Value == "1")) {
      Opts.Summary = Value == "1";
    } else {
      Errors.push_back("unknown or malformed argument '" + Arg + "'");
    }
  }
}

void loadAllowlist(Options &Opts, std::vector<std::string> &Errors) {
  if (Opts.AllowlistPath.empty())
    return;
  auto Buf = llvm::MemoryBuffer::getFile(Opts.AllowlistPath);
  if (!Buf) {
    Errors.push_back("cannot read allowlist '" + Opts.AllowlistPath +
                     "': " + Buf.getError().message());
    return;
  }
  llvm::SmallVector<llvm::StringRef, 32> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  for (size_t I = 0; I < Lines.size(); ++I) {
    llvm::StringRef Line = Lines[I].split('#').first.trim();
    if (Line.empty())
      continue;
    std::string Where = Opts.AllowlistPath + ":" + std::to_string(I + 1);
    llvm::StringRef Crate, Reason;
    std::tie(Crate, Reason) = Line.split(':');
    Crate = Crate.trim();
    Reason = Reason.trim();
    if (!Line.contains(':') || !validCrateName(Crate) || Reason.empty()) {
      Errors.push_back(Where + ": expected 'crate_name: reason'");
      continue;
    }
    if (!Opts.Allowlist.try_emplace(Crate, Reason.str()).second)
      Errors.push_back(Where + ": crate '" + Crate.str() + "' listed twice");
  }
}

} // namespace safec
