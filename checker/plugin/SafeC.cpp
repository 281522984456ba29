// The safe-C checker: a clang plugin that runs after the main action of
// every crate compile and turns unsafe operations into errors.
// Arguments: see docs/safe-c.md ("Plugin arguments").
#include "Options.h"
#include "Preprocessing.h"
#include "Rules.h"
#include "Session.h"

#include "clang/AST/ASTConsumer.h"
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
  SafeCConsumer(std::shared_ptr<Session> S, bool BoundsChecked)
      : S(std::move(S)), BoundsChecked(BoundsChecked) {}

  void HandleTranslationUnit(ASTContext &Ctx) override {
    checkTranslationUnit(*S, Ctx, BoundsChecked);
    S->finish();
  }

private:
  std::shared_ptr<Session> S;
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
    CI.getPreprocessor().addPPCallbacks(std::make_unique<SessionKeeper>(S));
    CI.getPreprocessor().addPPCallbacks(makePPCallbacks(*S));
    bool BoundsChecked =
        CI.getLangOpts().Sanitize.has(SanitizerKind::ArrayBounds) &&
        CI.getCodeGenOpts().SanitizeTrap.has(SanitizerKind::ArrayBounds);
    return std::make_unique<SafeCConsumer>(std::move(S), BoundsChecked);
  }

  // Always accept: clang silently drops a plugin whose ParseArgs fails, and
  // a checker must never vanish.  Problems become errors of the compile.
  bool ParseArgs(const CompilerInstance &,
                 const std::vector<std::string> &Args) override {
    parseOptions(Args, Opts, Errors);
    loadAllowlist(Opts, Errors);
    return true;
  }

  ActionType getActionType() override { return AddAfterMainAction; }

private:
  Options Opts;
  std::vector<std::string> Errors;
};

} // namespace
} // namespace safec

static FrontendPluginRegistry::Add<safec::SafeCAction>
    RegisterSafeC("safec", "reject operations outside the safe C subset");
