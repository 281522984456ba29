// Preprocessor hooks: recognise UNSAFE(...) sites, and keep crate code from
// changing what trusted header code means through macros.
#include "Preprocessing.h"

#include "clang/Basic/SourceManager.h"
#include "clang/Lex/MacroArgs.h"
#include "clang/Lex/MacroInfo.h"
#include "clang/Lex/Preprocessor.h"

using namespace clang;

namespace safec {

namespace {

class SafeCPPCallbacks : public PPCallbacks {
public:
  explicit SafeCPPCallbacks(Session &S) : S(S) {}

  void MacroExpands(const Token &NameTok, const MacroDefinition &MD,
                    SourceRange Range, const MacroArgs *Args) override {
    const MacroInfo *MI = MD.getMacroInfo();
    if (!MI)
      return;
    SourceLocation DefLoc = MI->getDefinitionLoc();
    bool DefTrusted = S.isTrustedLoc(DefLoc);
    bool UseTrusted = S.isTrustedLoc(NameTok.getLocation());
    llvm::StringRef Name = NameTok.getIdentifierInfo()->getName();

    if (UseTrusted && !DefTrusted && !S.isBenignMacroDefinition(DefLoc))
      S.reportAlways(Rule::TrustedHeader, NameTok.getLocation(),
                     "trusted header code expands macro '" + Name.str() +
                         "', which is defined outside the trusted headers");

    if (Name == "UNSAFE" && DefTrusted && MI->isFunctionLike() && Args &&
        !UseTrusted)
      recordUnsafeSite(NameTok, Args);
  }

  void Ifdef(SourceLocation, const Token &NameTok,
             const MacroDefinition &MD) override {
    checkTrustedCondition(NameTok, MD);
  }
  void Ifndef(SourceLocation, const Token &NameTok,
              const MacroDefinition &MD) override {
    checkTrustedCondition(NameTok, MD);
  }
  void Elifdef(SourceLocation, const Token &NameTok,
               const MacroDefinition &MD) override {
    checkTrustedCondition(NameTok, MD);
  }
  void Elifndef(SourceLocation, const Token &NameTok,
                const MacroDefinition &MD) override {
    checkTrustedCondition(NameTok, MD);
  }
  void Defined(const Token &NameTok, const MacroDefinition &MD,
               SourceRange) override {
    checkTrustedCondition(NameTok, MD);
  }

  void MacroUndefined(const Token &NameTok, const MacroDefinition &MD,
                      const MacroDirective *) override {
    const MacroInfo *MI = MD.getMacroInfo();
    if (MI && S.isTrustedLoc(MI->getDefinitionLoc()) &&
        !S.isTrustedLoc(NameTok.getLocation()))
      S.reportAlways(Rule::TrustedHeader, NameTok.getLocation(),
                     "crate code undefines macro '" +
                         NameTok.getIdentifierInfo()->getName().str() +
                         "' of a trusted header");
  }

  void MacroDefined(const Token &NameTok, const MacroDirective *MD) override {
    if (!MD || S.isTrustedLoc(NameTok.getLocation()))
      return;
    const MacroDirective *Prev = MD->getPrevious();
    if (!Prev)
      return;
    if (const auto *Def = dyn_cast<DefMacroDirective>(Prev))
      if (S.isTrustedLoc(Def->getInfo()->getDefinitionLoc()))
        S.reportAlways(Rule::TrustedHeader, NameTok.getLocation(),
                       "crate code redefines macro '" +
                           NameTok.getIdentifierInfo()->getName().str() +
                           "' of a trusted header");
  }

private:
  // A trusted header must not change shape because crate code defined a
  // macro it tests (include guards included: pre-defining one hides the
  // trusted definitions behind crate-made ones).
  void checkTrustedCondition(const Token &NameTok, const MacroDefinition &MD) {
    const MacroInfo *MI = MD.getMacroInfo();
    if (!MI || !S.isTrustedLoc(NameTok.getLocation()))
      return;
    SourceLocation DefLoc = MI->getDefinitionLoc();
    if (!S.isTrustedLoc(DefLoc) && !S.isBenignMacroDefinition(DefLoc))
      S.reportAlways(Rule::TrustedHeader, NameTok.getLocation(),
                     "trusted header tests macro '" +
                         NameTok.getIdentifierInfo()->getName().str() +
                         "', which crate code defined");
  }

  void recordUnsafeSite(const Token &NameTok, const MacroArgs *Args) {
    UnsafeSite Site;
    Site.NameLoc = NameTok.getLocation();
    bool ReasonOk = Args->getNumMacroArguments() >= 1;
    bool SawString = false;
    if (ReasonOk) {
      for (const Token *T = Args->getUnexpArgument(0); T->isNot(tok::eof);
           ++T) {
        if (!tok::isStringLiteral(T->getKind())) {
          ReasonOk = false;
          break;
        }
        SawString = true;
        std::string Text = S.PP.getSpelling(*T);
        // Keep the characters between the quotes (any prefix dropped).
        size_t Open = Text.find('"');
        if (Open != std::string::npos && Text.size() >= Open + 2)
          Site.Reason += Text.substr(Open + 1, Text.size() - Open - 2);
      }
    }
    ReasonOk = ReasonOk && SawString &&
               !llvm::StringRef(Site.Reason).trim().empty();
    // The site belongs to the crate whose file spells it: the one compiled,
    // or the owner of a header it includes.
    Site.Crate = S.crateOfLoc(Site.NameLoc);
    bool Listed = !Site.Crate.empty() && S.Opts.Allowlist.count(Site.Crate);

    if (!ReasonOk)
      S.reportAlways(Rule::UnsafeMarker, Site.NameLoc,
                     "UNSAFE needs a non-empty string literal as its reason",
                     "write UNSAFE(\"why this is sound\", code)");
    else if (!Listed)
      S.reportAlways(Rule::UnsafeMarker, Site.NameLoc,
                     "crate '" + (Site.Crate.empty() ? "?" : Site.Crate) +
                         "' may not use UNSAFE: it is not on the allowlist" +
                         (S.Opts.AllowlistPath.empty()
                              ? std::string(" (no allowlist given)")
                              : " " + S.Opts.AllowlistPath));
    Site.Allowed = ReasonOk && Listed;
    S.addUnsafeSite(std::move(Site));
  }

  Session &S;
};

} // namespace

std::unique_ptr<PPCallbacks> makePPCallbacks(Session &S) {
  return std::make_unique<SafeCPPCallbacks>(S);
}

} // namespace safec
