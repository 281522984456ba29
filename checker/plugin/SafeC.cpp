// The safe-C checker: a clang plugin that runs in every crate compile,
// before the code generator, turns unsafe operations into errors, and on a
// clean file leaves its verdict and the file's type signatures in the
// object.  Arguments: see docs/safe-c.md ("Plugin arguments").
#include "Options.h"
#include "Preprocessing.h"
#include "Rules.h"
#include "Session.h"
#include "Verdict.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/DiagnosticFrontend.h"
#include "clang/Basic/Sanitizers.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Preprocessor.h"

#include <memory>

using namespace clang;

namespace safec {
namespace {

class SafeCConsumer : public ASTConsumer {
public:
  SafeCConsumer(std::shared_ptr<Session> S, CompilerInstance &CI,
                bool BoundsChecked)
      : S(std::move(S)), CI(CI), BoundsChecked(BoundsChecked) {}

  void HandleTranslationUnit(ASTContext &Ctx) override {
    if (!S->Opts.DumpTrustedNamesPath.empty()) {
      dumpTrustedNames(*S, Ctx, S->Opts.DumpTrustedNamesPath);
      return;
    }
    if (S->Opts.RunMode == Mode::Check) {
      checkTranslationUnit(*S, Ctx, BoundsChecked);
      S->finish();
    }
    // The code generator runs after this consumer: on any error it writes
    // no object, so a record is only ever made for a clean file.
    if (!CI.getDiagnostics().hasErrorOccurred())
      emitVerdictRecord(CI, Ctx,
                        buildVerdictRecord(*S, Ctx, S->sites().size()));
  }

private:
  std::shared_ptr<Session> S;
  CompilerInstance &CI;
  bool BoundsChecked;
};

// Owns the session for the preprocessor hooks, which live as long as the
// preprocessor does.
class SessionKeeper : public PPCallbacks {
public:
  explicit SessionKeeper(std::shared_ptr<Session> S) : S(std::move(S)) {}

private:
  std::shared_ptr<Session> S;
};

class SafeCAction : public PluginASTAction {
protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    auto S = std::make_shared<Session>(CI, Opts);
    for (const std::string &E : Errors)
      S->configError(E);
    Preprocessor &PP = CI.getPreprocessor();
    PP.addPPCallbacks(std::make_unique<SessionKeeper>(S));
    if (Opts.RunMode == Mode::Check && Opts.DumpTrustedNamesPath.empty()) {
      PP.addPPCallbacks(makePPCallbacks(*S));
      installTokenScanner(*S, PP);
      // Every automatic variable starts zeroed (null for pointers), so no
      // pointer is ever read from stack garbage; definite assignment
      // (Flow.cpp) catches the paths that skip a declaration.
      CI.getLangOpts().setTrivialAutoVarInit(
          LangOptions::TrivialAutoVarInitKind::Zero);
      // The exact frame size is the backend's: make it an error above the
      // limit whatever the command line says.
      CI.getCodeGenOpts().WarnStackSize = Opts.FrameLimit;
      CI.getDiagnostics().setSeverityForGroup(
          diag::Flavor::WarningOrError, "frame-larger-than",
          diag::Severity::Error);
    }
    bool BoundsChecked =
        CI.getLangOpts().Sanitize.has(SanitizerKind::ArrayBounds) &&
        CI.getCodeGenOpts().SanitizeTrap.has(SanitizerKind::ArrayBounds);
    return std::make_unique<SafeCConsumer>(std::move(S), CI, BoundsChecked);
  }

  // Always accept: clang silently drops a plugin whose ParseArgs fails, and
  // a checker must never vanish.  Problems become errors of the compile.
  bool ParseArgs(const CompilerInstance &,
                 const std::vector<std::string> &Args) override {
    parseOptions(Args, Opts, Errors);
    loadLists(Opts, Errors);
    return true;
  }

  // Before the code generator: its consumer then sees the verdict record
  // this plugin adds, and writes nothing when a rule fired.
  ActionType getActionType() override { return AddBeforeMainAction; }

private:
  Options Opts;
  std::vector<std::string> Errors;
};

} // namespace
} // namespace safec

static FrontendPluginRegistry::Add<safec::SafeCAction>
    RegisterSafeC("safec", "reject operations outside the safe C subset");
