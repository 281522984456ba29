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

static bool validIdentifier(llvm::StringRef Name) {
  if (Name.empty() || llvm::isDigit(Name[0]))
    return false;
  for (char C : Name)
    if (!(llvm::isAlnum(C) || C == '_'))
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
    } else if (Name == "operations" && HasValue) {
      Opts.OperationsPath = Value.str();
    } else if (Name == "trusted-names" && HasValue) {
      Opts.TrustedNamesPath = Value.str();
    } else if (Name == "dump-trusted-names" && HasValue && !Value.empty()) {
      Opts.DumpTrustedNamesPath = Value.str();
    } else if (Name == "report" && HasValue) {
      Opts.ReportPath = Value.str();
    } else if (Name == "halt-functions" && HasValue) {
      llvm::SmallVector<llvm::StringRef, 8> Names;
      Value.split(Names, ',', -1, /*KeepEmpty=*/false);
      for (llvm::StringRef N : Names)
        Opts.ExtraHaltFunctions.insert(N.trim());
    } else if (Name == "summary" && (Value == "0" || Value == "1")) {
      Opts.Summary = Value == "1";
    } else if (Name == "mode" && (Value == "check" || Value == "signatures")) {
      Opts.RunMode = Value == "check" ? Mode::Check : Mode::Signatures;
    } else if (Name == "frame-limit" && HasValue) {
      unsigned N = 0;
      if (Value.getAsInteger(10, N) || N < 256 || N > 16384)
        Errors.push_back("frame-limit '" + Value.str() +
                         "' is not a byte count from 256 to 16384");
      else
        Opts.FrameLimit = N;
    } else {
      Errors.push_back("unknown or malformed argument '" + Arg + "'");
    }
  }
}

// Calls Line(Where, Text) for each non-empty line, '#' comments removed.
template <typename Fn>
static void forEachLine(const std::string &Path, const char *What,
                        std::vector<std::string> &Errors, Fn Line) {
  auto Buf = llvm::MemoryBuffer::getFile(Path);
  if (!Buf) {
    Errors.push_back(std::string("cannot read ") + What + " '" + Path +
                     "': " + Buf.getError().message());
    return;
  }
  llvm::SmallVector<llvm::StringRef, 64> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  for (size_t I = 0; I < Lines.size(); ++I) {
    llvm::StringRef Text = Lines[I].split('#').first.trim();
    if (!Text.empty())
      Line(Path + ":" + std::to_string(I + 1), Text);
  }
}

void loadLists(Options &Opts, std::vector<std::string> &Errors) {
  if (!Opts.AllowlistPath.empty())
    forEachLine(Opts.AllowlistPath, "allowlist", Errors,
                [&](const std::string &Where, llvm::StringRef Line) {
                  llvm::StringRef Crate, Reason;
                  std::tie(Crate, Reason) = Line.split(':');
                  Crate = Crate.trim();
                  Reason = Reason.trim();
                  if (!Line.contains(':') || !validCrateName(Crate) || Reason.empty()) {
                    Errors.push_back(Where + ": expected 'crate_name: reason'");
                    return;
                  }
                  if (!Opts.Allowlist.try_emplace(Crate, Reason.str()).second)
                    Errors.push_back(Where + ": crate '" + Crate.str() + "' listed twice");
                });

  if (!Opts.OperationsPath.empty())
    forEachLine(Opts.OperationsPath, "operations allowlist", Errors,
                [&](const std::string &Where, llvm::StringRef Line) {
                  llvm::SmallVector<llvm::StringRef, 3> Parts;
                  Line.split(Parts, ':', 2);
                  if (Parts.size() != 3 || !validCrateName(Parts[0].trim()) ||
                      !validIdentifier(Parts[1].trim()) ||
                      Parts[2].trim().empty()) {
                    Errors.push_back(Where + ": expected 'crate_name: operation: reason'");
                    return;
                  }
                  auto &Ops = Opts.Operations[Parts[0].trim()];
                  if (!Ops.try_emplace(Parts[1].trim(), Parts[2].trim().str()).second)
                    Errors.push_back(Where + ": crate '" + Parts[0].trim().str() +
                                     "' lists operation '" + Parts[1].trim().str() +
                                     "' twice");
                });

  if (!Opts.TrustedNamesPath.empty())
    forEachLine(Opts.TrustedNamesPath, "trusted names", Errors,
                [&](const std::string &Where, llvm::StringRef Line) {
                  llvm::StringRef Name, Header;
                  std::tie(Name, Header) = Line.split(' ');
                  Header = Header.trim();
                  llvm::StringRef Bare = Name;
                  Bare.consume_front("tag:");
                  if (!validIdentifier(Bare) || Header.empty()) {
                    Errors.push_back(Where + ": expected 'name header'");
                    return;
                  }
                  Opts.TrustedNames.try_emplace(Name, Header.str());
                });
}

} // namespace safec
