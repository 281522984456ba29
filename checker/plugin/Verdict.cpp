#include "Verdict.h"
#include "Rules.h"

#include "clang/AST/Attr.h"
#include "clang/AST/RecordLayout.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <set>

using namespace clang;

namespace safec {

namespace {

std::string digest16(llvm::StringRef Text) {
  llvm::SHA256 H;
  H.update(Text);
  std::array<uint8_t, 32> D = H.final();
  return llvm::toHex(llvm::ArrayRef<uint8_t>(D.data(), 16), /*LowerCase=*/true);
}

// The canonical text of a type, for comparing declarations made in
// different objects.  Records appear by tag; the layout of every named
// record a signature reaches (through pointers too) is listed beside it,
// so that two sides are compared wherever both know the layout.
class TypeWriter {
public:
  TypeWriter(Session &S, ASTContext &Ctx) : S(S), Ctx(Ctx) {}

  std::string type(QualType T, std::set<std::string> &Tags, unsigned Depth = 0) {
    if (Depth > 32)
      return "?";
    std::string Q;
    if (T.isConstQualified())
      Q += "const ";
    if (T.isVolatileQualified())
      Q += "volatile ";
    const Type *Ty = T.getCanonicalType().getTypePtr();
    if (const auto *B = dyn_cast<BuiltinType>(Ty))
      return Q + B->getName(Ctx.getPrintingPolicy()).str();
    if (const auto *P = dyn_cast<PointerType>(Ty))
      return Q + "*" + type(P->getPointeeType(), Tags, Depth + 1);
    if (const auto *A = dyn_cast<ConstantArrayType>(Ty))
      return Q + "[" + std::to_string(A->getLimitedSize()) + "]" +
             type(A->getElementType(), Tags, Depth + 1);
    if (const auto *A = dyn_cast<IncompleteArrayType>(Ty))
      return Q + "[]" + type(A->getElementType(), Tags, Depth + 1);
    if (isa<VariableArrayType>(Ty))
      return Q + "[*]" + type(cast<ArrayType>(Ty)->getElementType(), Tags, Depth + 1);
    if (const auto *F = dyn_cast<FunctionProtoType>(Ty)) {
      std::string R = Q + "fn(";
      for (unsigned I = 0; I < F->getNumParams(); ++I)
        R += (I ? "," : "") + type(F->getParamType(I), Tags, Depth + 1);
      if (F->isVariadic())
        R += F->getNumParams() ? ",..." : "...";
      R += ")->" + type(F->getReturnType(), Tags, Depth + 1);
      if (F->getNoReturnAttr())
        R += " noreturn";
      if (F->getCallConv() != CC_C)
        R += " cc" + std::to_string(static_cast<unsigned>(F->getCallConv()));
      return R;
    }
    if (const auto *F = dyn_cast<FunctionNoProtoType>(Ty))
      return Q + "fn(?)->" + type(F->getReturnType(), Tags, Depth + 1);
    if (const auto *R = dyn_cast<RecordType>(Ty)) {
      const RecordDecl *RD = R->getDecl();
      std::string Kind = RD->isUnion() ? "union" : "struct";
      if (!RD->getIdentifier()) {
        const RecordDecl *Def = RD->getDefinition();
        return Q + Kind + "{" + (Def ? layout(Def, Tags, Depth + 1) : "?") + "}";
      }
      std::string Tag = Kind + ":" + RD->getName().str();
      reach(Tag, RD, Tags);
      return Q + Tag;
    }
    if (const auto *E = dyn_cast<EnumType>(Ty)) {
      const EnumDecl *ED = E->getDecl();
      return Q + "enum:" + ED->getName().str() + ":" +
             type(ED->getIntegerType(), Tags, Depth + 1);
    }
    if (const auto *A = dyn_cast<AtomicType>(Ty))
      return Q + "_Atomic(" + type(A->getValueType(), Tags, Depth + 1) + ")";
    if (const auto *BI = dyn_cast<BitIntType>(Ty))
      return Q + (BI->isUnsigned() ? "unsigned " : "") + "_BitInt(" +
             std::to_string(BI->getNumBits()) + ")";
    return Q + QualType(Ty, 0).getAsString(Ctx.getPrintingPolicy());
  }

  // The layout digest of each tag in Tags, "tag=digest" joined by spaces;
  // records declared but not defined here are left out (opaque).
  std::string tagList(const std::set<std::string> &Direct) {
    std::set<std::string> All;
    std::vector<std::string> Work(Direct.begin(), Direct.end());
    while (!Work.empty()) {
      std::string T = Work.back();
      Work.pop_back();
      if (!All.insert(T).second)
        continue;
      auto It = Deps.find(T);
      if (It != Deps.end())
        for (const std::string &D : It->second)
          Work.push_back(D);
    }
    std::string Out;
    for (const std::string &T : All) {
      auto It = Layouts.find(T);
      if (It == Layouts.end() || It->second.empty())
        continue;
      Out += " " + T + "=" + digest16(It->second);
    }
    return Out;
  }

private:
  void reach(const std::string &Tag, const RecordDecl *RD,
             std::set<std::string> &Tags) {
    Tags.insert(Tag);
    if (Layouts.count(Tag))
      return;
    const RecordDecl *Def = RD->getDefinition();
    Layouts[Tag] = ""; // also guards recursion through pointers to itself
    if (!Def)
      return;
    std::set<std::string> Inner;
    std::string L = layout(Def, Inner, 0);
    Layouts[Tag] = L;
    Deps[Tag] = std::move(Inner);
  }

  std::string layout(const RecordDecl *Def, std::set<std::string> &Tags,
                     unsigned Depth) {
    const ASTRecordLayout &RL = Ctx.getASTRecordLayout(Def);
    std::string L = "size=" + std::to_string(RL.getSize().getQuantity()) +
                    ",align=" + std::to_string(RL.getAlignment().getQuantity());
    for (const char *Mark : {"theseus.sealed", "theseus.sealed_writes"}) {
      bool Sealed = false;
      for (const TagDecl *R : Def->redecls())
        Sealed = Sealed || hasAnnotation(R, Mark);
      if (Sealed) {
        SourceLocation DefLoc = S.SM.getFileLoc(Def->getLocation());
        std::string Owner = S.isTrustedLoc(DefLoc)
                                ? std::string("trusted")
                                : S.crateOfFile(S.SM.getFileID(DefLoc));
        L += std::string(",") + (Mark + 8) + ":" + (Owner.empty() ? "?" : Owner);
      }
    }
    unsigned I = 0;
    for (const FieldDecl *F : Def->fields()) {
      L += ";" + F->getNameAsString() + "@" +
           std::to_string(RL.getFieldOffset(I++)) + ":" +
           type(F->getType(), Tags, Depth + 1);
      if (F->isBitField())
        L += ":" + std::to_string(F->getBitWidthValue(Ctx));
    }
    return L;
  }

  Session &S;
  ASTContext &Ctx;
  std::map<std::string, std::string> Layouts;
  std::map<std::string, std::set<std::string>> Deps;
};

bool exported(const NamedDecl *D) {
  return D->isExternallyVisible() &&
         D->getLinkageAndVisibility().getVisibility() == DefaultVisibility;
}

class SymbolCollector : public RecursiveASTVisitor<SymbolCollector> {
public:
  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (FD->isImplicit() || FD->getBuiltinID() || !FD->getIdentifier() ||
        !FD->isExternallyVisible())
      return true;
    Functions[FD->getName().str()] = FD->getCanonicalDecl();
    return true;
  }
  bool VisitVarDecl(VarDecl *VD) {
    if (VD->isImplicit() || !VD->getIdentifier() || isa<ParmVarDecl>(VD) ||
        !VD->hasExternalFormalLinkage() || VD->hasLocalStorage())
      return true;
    Vars[VD->getName().str()] = VD->getCanonicalDecl();
    return true;
  }
  // KEXPORT(sym) entries (a static in section .kexports whose initializer
  // takes sym's address): in the nano-core, an exported symbol defined in
  // assembly gets its signature from the file that exports it.
  bool VisitDeclRefExpr(DeclRefExpr *E) {
    if (InKexport)
      Kexported.insert(E->getDecl()->getCanonicalDecl());
    return true;
  }
  bool TraverseVarDecl(VarDecl *VD) {
    const auto *SA = VD->getAttr<SectionAttr>();
    bool Saved = InKexport;
    InKexport = SA && SA->getName() == ".kexports";
    bool R = RecursiveASTVisitor::TraverseVarDecl(VD);
    InKexport = Saved;
    return R;
  }
  std::map<std::string, FunctionDecl *> Functions;
  std::map<std::string, VarDecl *> Vars;
  std::set<const Decl *> Kexported;
  bool InKexport = false;
};

std::string fileName(Session &S) {
  OptionalFileEntryRef FE = S.SM.getFileEntryRefForID(S.SM.getMainFileID());
  return FE ? llvm::sys::path::filename(FE->getName()).str() : "?";
}

} // namespace

std::string buildVerdictRecord(Session &S, ASTContext &Ctx,
                               unsigned UnsafeSites) {
  std::string Out;
  if (S.Opts.RunMode == Mode::Check)
    Out = "safec 1 checked crate=" +
          (S.CrateName.empty() ? std::string("?") : S.CrateName) +
          " file=" + fileName(S) + " unsafe=" + std::to_string(UnsafeSites) +
          "\n";
  else
    Out = "safec 1 signatures file=" + fileName(S) + "\n";

  SymbolCollector C;
  C.TraverseDecl(Ctx.getTranslationUnitDecl());
  TypeWriter W(S, Ctx);
  auto Line = [&](const char *Kind, const std::string &Name, QualType T) {
    std::set<std::string> Tags;
    std::string Text = W.type(T, Tags);
    Out += std::string(Kind) + " " + Name + " " + digest16(Text) +
           W.tagList(Tags) + "\n";
  };
  for (auto &[Name, FD] : C.Functions) {
    const FunctionDecl *Def = nullptr;
    bool CallType = false;
    for (const FunctionDecl *R : FD->redecls())
      CallType = CallType || hasAnnotation(R, "theseus.call_type");
    // In a crate, every function with external linkage, exported or not:
    // the nano-core also calls hidden ones by name (a crate's init).  In the
    // nano-core, only what crates can import (KERNEL_EXPORT).
    if (FD->isDefined(Def)) {
      if (S.Opts.RunMode == Mode::Check
              ? Def->hasExternalFormalLinkage()
              : exported(Def) || C.Kexported.count(FD))
        Line("def", Name, Def->getType());
    } else if (S.Opts.RunMode == Mode::Signatures && C.Kexported.count(FD)) {
      Line("def", Name, FD->getMostRecentDecl()->getType());
    } else if (CallType || (FD->isUsed() && S.Opts.RunMode == Mode::Check)) {
      // The nano-core's own imports are resolved by the static linker;
      // only the types it calls crates' functions with are needed.
      Line("ref", Name, FD->getMostRecentDecl()->getType());
    }
  }
  for (auto &[Name, VD] : C.Vars) {
    if (const VarDecl *Def = VD->getDefinition()) {
      if (exported(Def))
        Line("def", Name, Def->getType());
    } else if (VD->isUsed() && S.Opts.RunMode == Mode::Check) {
      Line("ref", Name, VD->getMostRecentDecl()->getType());
    }
  }
  return Out;
}

void emitVerdictRecord(CompilerInstance &CI, ASTContext &Ctx,
                       const std::string &Text) {
  TranslationUnitDecl *TU = Ctx.getTranslationUnitDecl();
  QualType Char = Ctx.CharTy.withConst();
  QualType Array = Ctx.getConstantArrayType(
      Char, llvm::APInt(64, Text.size()), nullptr, ArraySizeModifier::Normal, 0);
  auto *VD = VarDecl::Create(Ctx, TU, SourceLocation(), SourceLocation(),
                             &Ctx.Idents.get("theseus_safec_record_"), Array,
                             Ctx.getTrivialTypeSourceInfo(Array), SC_Static);
  VD->setInit(StringLiteral::Create(Ctx, Text, StringLiteralKind::Ordinary,
                                    false, Array, SourceLocation()));
  VD->addAttr(SectionAttr::CreateImplicit(Ctx, VerdictSection));
  VD->addAttr(UsedAttr::CreateImplicit(Ctx));
  VD->setImplicit();
  TU->addDecl(VD);
  CI.getASTConsumer().HandleTopLevelDecl(DeclGroupRef(VD));
}

void dumpTrustedNames(Session &S, ASTContext &Ctx, const std::string &Path) {
  std::map<std::string, std::string> Names;
  class Walker : public RecursiveASTVisitor<Walker> {
  public:
    Walker(Session &S, std::map<std::string, std::string> &Names)
        : S(S), Names(Names) {}
    bool VisitNamedDecl(NamedDecl *D) {
      if (!D->getIdentifier() || D->isImplicit())
        return true;
      bool Wanted = isa<TagDecl>(D) || isa<EnumConstantDecl>(D) ||
                    ((isa<FunctionDecl>(D) || isa<VarDecl>(D) ||
                      isa<TypedefNameDecl>(D)) &&
                     D->getDeclContext()->isFileContext());
      if (!Wanted || isa<ParmVarDecl>(D))
        return true;
      SourceLocation Loc = S.SM.getFileLoc(D->getLocation());
      if (!S.isTrustedLoc(Loc))
        return true;
      std::string Header = S.trustedRelativePath(S.SM.getFileID(Loc));
      std::string Key = (isa<TagDecl>(D) ? "tag:" : "") + D->getName().str();
      Names.emplace(Key, Header);
      return true;
    }
    Session &S;
    std::map<std::string, std::string> &Names;
  };
  Walker W(S, Names);
  W.TraverseDecl(Ctx.getTranslationUnitDecl());
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC);
  if (EC) {
    S.configError("cannot write trusted names '" + Path + "': " + EC.message());
    return;
  }
  OS << "# Names the trusted headers declare: crate code may not declare them.\n";
  for (auto &[Name, Header] : Names)
    OS << Name << " " << Header << "\n";
}

} // namespace safec
