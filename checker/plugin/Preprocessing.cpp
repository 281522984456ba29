// Preprocessor hooks: recognise UNSAFE(...) sites, and keep crate code from
// changing what trusted header code means through macros.
#include "Preprocessing.h"

#include "clang/Basic/SourceManager.h"
#include "clang/Lex/MacroArgs.h"
#include "clang/Lex/MacroInfo.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/StringExtras.h"

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

  // Default-deny for pragmas: crate code may use '#pragma once' and nothing
  // else (pack, clang attribute, redefine_extname, diagnostic, system_header
  // all change what the compiler makes of code the checker has judged).
  void PragmaDirective(SourceLocation Loc,
                       PragmaIntroducerKind Introducer) override {
    if (S.isPredefinedLoc(Loc) || S.isBenignMacroDefinition(Loc) ||
        S.isTrustedLoc(Loc))
      return;
    std::string Name = pragmaName(Loc, Introducer);
    if (Name == "once")
      return;
    S.report(Rule::Pragma, Loc,
             "pragma '" + (Name.empty() ? std::string("?") : Name) +
                 "' in crate code");
  }

private:
  // The first word after the pragma introducer, read from its spelling.
  std::string pragmaName(SourceLocation Loc, PragmaIntroducerKind Introducer) {
    SourceLocation Sp = S.SM.getSpellingLoc(Loc);
    bool Invalid = false;
    llvm::StringRef Buffer = S.SM.getBufferData(S.SM.getFileID(Sp), &Invalid);
    if (Invalid)
      return "";
    llvm::StringRef Text = Buffer.drop_front(S.SM.getFileOffset(Sp));
    auto SkipSpace = [&Text] {
      while (!Text.empty() && (Text[0] == ' ' || Text[0] == '\t' ||
                               Text[0] == '\\' || Text[0] == '\n' ||
                               Text[0] == '\r'))
        Text = Text.drop_front();
    };
    if (Introducer == PIK_HashPragma) {
      Text.consume_front("#");
      SkipSpace();
      Text.consume_front("pragma");
    } else {
      Text.consume_front(Introducer == PIK__Pragma ? "_Pragma" : "__pragma");
      SkipSpace();
      Text.consume_front("(");
      SkipSpace();
      Text.consume_front("u8");
      Text.consume_front("L");
      Text.consume_front("u");
      Text.consume_front("U");
      Text.consume_front("\"");
    }
    SkipSpace();
    size_t N = 0;
    while (N < Text.size() && (llvm::isAlnum(Text[N]) || Text[N] == '_'))
      ++N;
    return Text.take_front(N).str();
  }

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

// Attributes crate code may spell (GNU, C23 and vendor-scoped forms alike,
// names without their __ decorations).  Everything else is an error: a new
// attribute is unsafe until someone decides otherwise.  counted_by, section,
// annotate, visibility, used reach crates only through trusted macros.
const llvm::StringSet<> AllowedAttributes = {
    "maybe_unused", "unused",   "nodiscard", "warn_unused_result",
    "deprecated",   "fallthrough", "likely", "unlikely",
    "noinline",     "cold",     "hot",       "aligned",
};

// Watches every token of the expanded stream (macro expansions included,
// so an attribute cannot hide in a crate's own macro) and judges each
// attribute by where its name is spelled.
class AttributeScanner {
public:
  explicit AttributeScanner(Session &S) : S(S) {}

  void onToken(const Token &T) {
    switch (St) {
    case State::Idle:
      idle(T);
      break;
    case State::GnuOpen1:
    case State::GnuOpen2:
      if (T.is(tok::l_paren)) {
        St = St == State::GnuOpen1 ? State::GnuOpen2 : State::GnuList;
        Depth = St == State::GnuList ? 2 : 1;
        ExpectName = true;
      } else {
        St = State::Idle;
        idle(T);
      }
      break;
    case State::GnuList:
      list(T, tok::l_paren, tok::r_paren);
      break;
    case State::StdList:
      list(T, tok::l_square, tok::r_square);
      break;
    }
    PrevSquare = T.is(tok::l_square) ? T.getLocation() : SourceLocation();
  }

private:
  enum class State { Idle, GnuOpen1, GnuOpen2, GnuList, StdList };

  void idle(const Token &T) {
    switch (T.getKind()) {
    case tok::kw___attribute:
      St = State::GnuOpen1;
      return;
    case tok::l_square:
      if (PrevSquare.isValid()) {
        St = State::StdList;
        Depth = 2;
        ExpectName = true;
        Scope.clear();
      }
      return;
    case tok::kw___declspec:
      judge(T, "__declspec");
      return;
    case tok::kw__Noreturn:
      judge(T, "_Noreturn");
      return;
    case tok::kw___thread:
    case tok::kw__Thread_local:
    case tok::kw_thread_local:
      if (!S.isTrustedLoc(T.getLocation()) && !S.isPredefinedLoc(T.getLocation()))
        S.report(Rule::Construct, T.getLocation(),
                 "thread-local storage ('" + S.PP.getSpelling(T) + "')",
                 "keep per-task state in the task's own objects");
      return;
    case tok::kw___cdecl:
    case tok::kw___stdcall:
    case tok::kw___fastcall:
    case tok::kw___thiscall:
    case tok::kw___regcall:
    case tok::kw___vectorcall:
    case tok::kw___pascal:
    case tok::kw__Nonnull:
    case tok::kw__Nullable:
    case tok::kw__Nullable_result:
    case tok::kw__Null_unspecified:
    case tok::kw___ptr32:
    case tok::kw___ptr64:
    case tok::kw___sptr:
    case tok::kw___uptr:
    case tok::kw___w64:
    case tok::kw___unaligned:
    case tok::kw___forceinline:
      judge(T, S.PP.getSpelling(T));
      return;
    default:
      return;
    }
  }

  // Inside an attribute list: a name starts each comma-separated item
  // (after an optional 'scope::' in [[...]]); arguments are skipped by
  // depth.
  void list(const Token &T, tok::TokenKind Open, tok::TokenKind Close) {
    if (T.is(Open)) {
      ++Depth;
      ExpectName = false;
      return;
    }
    if (T.is(Close)) {
      if (--Depth == 0)
        St = State::Idle;
      ExpectName = false;
      return;
    }
    if (Depth != 2)
      return;
    if (T.is(tok::comma)) {
      ExpectName = true;
      Scope.clear();
      return;
    }
    if (T.is(tok::coloncolon)) {
      ExpectName = !Scope.empty();
      return;
    }
    if (!ExpectName || !T.getIdentifierInfo())
      return;
    ExpectName = false;
    std::string Name = S.PP.getSpelling(T);
    if (St == State::StdList && Scope.empty()) {
      // A scope when '::' follows: decided by the next token.
      Pending = T;
      PendingName = Name;
      HavePending = true;
      return;
    }
    judge(T, Scope.empty() ? Name : Scope + "::" + Name);
    Scope.clear();
  }

  void judge(const Token &T, const std::string &Spelled) {
    SourceLocation Loc = T.getLocation();
    // An attribute spelled by a predefined macro (__seg_gs) or one of
    // clang's headers (noreturn in stdnoreturn.h) is judged where that
    // macro was used.
    while (Loc.isMacroID() &&
           (S.isPredefinedLoc(S.SM.getSpellingLoc(Loc)) ||
            S.isBenignMacroDefinition(S.SM.getSpellingLoc(Loc))))
      Loc = S.SM.getImmediateExpansionRange(Loc).getBegin();
    if (S.isTrustedLoc(Loc) || S.isPredefinedLoc(Loc) ||
        S.isBenignMacroDefinition(Loc))
      return;
    llvm::StringRef Name = Spelled;
    llvm::StringRef ScopeName;
    if (Name.contains("::"))
      std::tie(ScopeName, Name) = Name.split("::");
    ScopeName = stripUnderscores(ScopeName);
    Name = stripUnderscores(Name);
    bool KnownScope = ScopeName.empty() || ScopeName == "gnu" || ScopeName == "clang";
    if (KnownScope && AllowedAttributes.contains(Name))
      return;
    S.report(Rule::Attribute, Loc,
             "attribute '" + Spelled + "' is not allowed in crate code");
  }

  static llvm::StringRef stripUnderscores(llvm::StringRef Name) {
    if (Name.size() > 4 && Name.starts_with("__") && Name.ends_with("__"))
      return Name.drop_front(2).drop_back(2);
    return Name;
  }

public:
  // Settles a pending [[first-identifier]]: a scope when '::' follows,
  // else the attribute's name.
  void beforeToken(const Token &T) {
    if (!HavePending)
      return;
    HavePending = false;
    if (T.is(tok::coloncolon)) {
      Scope = PendingName;
      return;
    }
    judge(Pending, PendingName);
  }

private:
  Session &S;
  State St = State::Idle;
  unsigned Depth = 0;
  bool ExpectName = false;
  std::string Scope;
  SourceLocation PrevSquare;
  Token Pending;
  std::string PendingName;
  bool HavePending = false;
};

} // namespace

std::unique_ptr<PPCallbacks> makePPCallbacks(Session &S) {
  return std::make_unique<SafeCPPCallbacks>(S);
}

void installTokenScanner(Session &S, clang::Preprocessor &PP) {
  auto Scanner = std::make_shared<AttributeScanner>(S);
  PP.setTokenWatcher([Scanner](const Token &T) {
    Scanner->beforeToken(T);
    Scanner->onToken(T);
  });
}

} // namespace safec
