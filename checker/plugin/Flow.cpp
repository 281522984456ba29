// Per-function analyses of safe C: how much stack a function keeps, that
// no pointer-holding local is read before it is assigned, and that no
// address of a local outlives the function.
#include "Rules.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace clang;

namespace safec {

namespace {

std::string varName(const VarDecl *V) { return "'" + V->getNameAsString() + "'"; }

// Where to report about a whole function: its name, or its body when a
// trusted macro made the name (KTEST) and the crate wrote the body.
SourceLocation functionLoc(Session &S, const FunctionDecl *FD) {
  if (S.isTrustedLoc(FD->getLocation()) && FD->getBody())
    return FD->getBody()->getBeginLoc();
  return FD->getLocation();
}

uint64_t sizeOf(ASTContext &Ctx, QualType T) {
  if (T.isNull() || T->isIncompleteType() || T->isDependentType() ||
      T->isVariablyModifiedType() || T->isFunctionType())
    return 0;
  return static_cast<uint64_t>(Ctx.getTypeSizeInChars(T).getQuantity());
}

// ---- the stack frame ------------------------------------------------------

// An upper bound of what a function keeps on its stack, from its source:
// every automatic variable and block-scope compound literal (as if none
// shared space), plus the largest set of by-value aggregates one call
// passes or returns.  The backend's exact figure is enforced too, on the
// object (-Wframe-larger-than, made an error by the plugin); this estimate
// is what a syntax-only check sees.
class FrameEstimate : public RecursiveASTVisitor<FrameEstimate> {
public:
  explicit FrameEstimate(ASTContext &Ctx) : Ctx(Ctx) {}

  bool VisitVarDecl(VarDecl *VD) {
    if (!VD->hasLocalStorage() || isa<ParmVarDecl>(VD))
      return true;
    add(sizeOf(Ctx, VD->getType()), VD->getNameAsString());
    return true;
  }
  bool VisitCompoundLiteralExpr(CompoundLiteralExpr *E) {
    if (!E->isFileScope())
      add(sizeOf(Ctx, E->getType()), "a compound literal");
    return true;
  }
  bool VisitCallExpr(CallExpr *E) {
    uint64_t Temps = 0;
    if (E->getType()->isRecordType())
      Temps += sizeOf(Ctx, E->getType());
    for (const Expr *A : E->arguments())
      if (A->getType()->isRecordType())
        Temps += sizeOf(Ctx, A->getType());
    if (Temps > CallTemps)
      CallTemps = Temps;
    return true;
  }

  uint64_t total() const { return Locals + CallTemps; }
  uint64_t Largest = 0;
  std::string LargestName;

private:
  void add(uint64_t Bytes, const std::string &Name) {
    Locals += Bytes;
    if (Bytes > Largest) {
      Largest = Bytes;
      LargestName = Name;
    }
  }
  ASTContext &Ctx;
  uint64_t Locals = 0, CallTemps = 0;
};

void checkFrame(Session &S, ASTContext &Ctx, FunctionDecl *FD) {
  FrameEstimate F(Ctx);
  F.TraverseStmt(FD->getBody());
  if (F.total() <= S.Opts.FrameLimit)
    return;
  S.report(Rule::StackFrame, functionLoc(S, FD),
           "function '" + FD->getNameAsString() + "' keeps at least " +
               std::to_string(F.total()) + " bytes on the stack (largest: " +
               F.LargestName + ", " + std::to_string(F.Largest) +
               " bytes); the limit is " + std::to_string(S.Opts.FrameLimit) +
               " bytes, below the guard page under every task stack");
}

// ---- where a local variable is used ------------------------------------

// The variable an lvalue designates, through '.', subscripts of arrays and
// parentheses: writing s.a[2].p writes part of s.
const VarDecl *rootVar(const Expr *E) {
  for (unsigned Depth = 0; Depth < 64; ++Depth) {
    E = E->IgnoreParens();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      return dyn_cast<VarDecl>(DRE->getDecl());
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (ME->isArrow())
        return nullptr;
      E = ME->getBase();
      continue;
    }
    if (const auto *ASE = dyn_cast<ArraySubscriptExpr>(E)) {
      const auto *Decay = dyn_cast<ImplicitCastExpr>(ASE->getBase()->IgnoreParens());
      if (!Decay || Decay->getCastKind() != CK_ArrayToPointerDecay)
        return nullptr;
      E = Decay->getSubExpr();
      continue;
    }
    return nullptr;
  }
  return nullptr;
}

enum class Use { Read, Write, Escape, SelfInit };

// Classifies every reference to a tracked local: read, written (the whole
// variable or part of it, as an assignment's target), escaping (its
// address taken, or an array of it decayed, so something else may write
// it), or read in its own initializer.
class UseClassifier : public RecursiveASTVisitor<UseClassifier> {
public:
  UseClassifier(const llvm::DenseMap<const VarDecl *, unsigned> &Tracked)
      : Tracked(Tracked) {}

  bool VisitBinaryOperator(BinaryOperator *E) {
    if (E->getOpcode() == BO_Assign)
      mark(E->getLHS(), Use::Write);
    return true;
  }
  bool VisitUnaryOperator(UnaryOperator *E) {
    if (E->getOpcode() == UO_AddrOf)
      mark(E->getSubExpr(), Use::Escape);
    return true;
  }
  bool VisitArraySubscriptExpr(ArraySubscriptExpr *E) {
    if (auto *D = dyn_cast<ImplicitCastExpr>(E->getBase()->IgnoreParens()))
      SubscriptBases.insert(D);
    return true;
  }
  bool VisitImplicitCastExpr(ImplicitCastExpr *E) {
    if (E->getCastKind() == CK_ArrayToPointerDecay && !SubscriptBases.count(E))
      mark(E->getSubExpr(), Use::Escape);
    return true;
  }
  bool VisitVarDecl(VarDecl *VD) {
    if (!Tracked.count(VD) || !VD->getInit())
      return true;
    SelfRefs Finder(VD, Uses);
    Finder.TraverseStmt(VD->getInit());
    return true;
  }

  // The use of each reference (Read when absent), and for assignments
  // and escapes, the node whose evaluation completes them.
  llvm::DenseMap<const DeclRefExpr *, Use> Uses;
  llvm::DenseMap<const Stmt *, const VarDecl *> Completes;

private:
  void mark(Expr *Target, Use U) {
    const Expr *E = Target->IgnoreParens();
    // Find the reference at the root, as rootVar does.
    for (unsigned Depth = 0; Depth < 64; ++Depth) {
      E = E->IgnoreParens();
      if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
        const auto *V = dyn_cast<VarDecl>(DRE->getDecl());
        if (V && Tracked.count(V)) {
          auto It = Uses.find(DRE);
          if (It == Uses.end() || It->second != Use::SelfInit)
            Uses[DRE] = U;
        }
        return;
      }
      if (const auto *ME = dyn_cast<MemberExpr>(E)) {
        if (ME->isArrow())
          return;
        E = ME->getBase();
        continue;
      }
      if (const auto *ASE = dyn_cast<ArraySubscriptExpr>(E)) {
        const auto *Decay = dyn_cast<ImplicitCastExpr>(ASE->getBase()->IgnoreParens());
        if (!Decay || Decay->getCastKind() != CK_ArrayToPointerDecay)
          return;
        // Writing one element assigns the array: the elements not written
        // are null (locals are zero-initialized), never stack garbage.
        E = Decay->getSubExpr();
        continue;
      }
      return;
    }
  }

  class SelfRefs : public RecursiveASTVisitor<SelfRefs> {
  public:
    SelfRefs(const VarDecl *V, llvm::DenseMap<const DeclRefExpr *, Use> &Uses)
        : V(V), Uses(Uses) {}
    bool VisitDeclRefExpr(DeclRefExpr *E) {
      if (E->getDecl() == V)
        Uses[E] = Use::SelfInit;
      return true;
    }
    // sizeof does not read it.
    bool TraverseUnaryExprOrTypeTraitExpr(UnaryExprOrTypeTraitExpr *) {
      return true;
    }

  private:
    const VarDecl *V;
    llvm::DenseMap<const DeclRefExpr *, Use> &Uses;
  };

  const llvm::DenseMap<const VarDecl *, unsigned> &Tracked;
  llvm::DenseSet<const ImplicitCastExpr *> SubscriptBases;
};

class TrackedLocals : public RecursiveASTVisitor<TrackedLocals> {
public:
  bool VisitVarDecl(VarDecl *VD) {
    if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) &&
        !VD->getType()->isVariablyModifiedType() && containsPointer(VD->getType()))
      Index.try_emplace(VD, Index.size());
    return true;
  }
  llvm::DenseMap<const VarDecl *, unsigned> Index;
};

// ---- definite assignment -------------------------------------------------

// Forward must-analysis over the CFG.  Per tracked local two facts hold on
// entry to each point: its declaration has run (Declared) and it has been
// assigned (Assigned: an initializer, an assignment to it or part of it,
// or its address escaping, after which the compile's zero-initialization
// of locals, which the plugin turns on, makes any unwritten part null).
class DefiniteAssignment {
public:
  DefiniteAssignment(Session &S, ASTContext &Ctx, FunctionDecl *FD)
      : S(S), Ctx(Ctx), FD(FD) {}

  void run() {
    TrackedLocals T;
    T.TraverseStmt(FD->getBody());
    if (T.Index.empty())
      return;
    Vars = std::move(T.Index);
    N = Vars.size();
    UseClassifier C(Vars);
    C.TraverseStmt(FD->getBody());
    Uses = std::move(C.Uses);

    CFG::BuildOptions Opts;
    Opts.setAllAlwaysAdd();
    std::unique_ptr<CFG> G = CFG::buildCFG(FD, FD->getBody(), &Ctx, Opts);
    if (!G) {
      S.report(Rule::UninitializedPointer, functionLoc(S, FD),
               "the control flow of '" + FD->getNameAsString() +
                   "' could not be analyzed for uninitialized pointers",
               "simplify the function's control flow");
      return;
    }
    solve(*G);
  }

private:
  using State = llvm::BitVector; // [0, N): declared; [N, 2N): assigned

  void solve(const CFG &G) {
    unsigned Blocks = G.getNumBlockIDs();
    std::vector<State> In(Blocks, State(2 * N, true));
    std::vector<bool> Seen(Blocks, false);
    const CFGBlock &Entry = G.getEntry();
    In[Entry.getBlockID()] = State(2 * N, false);
    Seen[Entry.getBlockID()] = true;
    std::vector<const CFGBlock *> Work{&Entry};
    while (!Work.empty()) {
      const CFGBlock *B = Work.back();
      Work.pop_back();
      State Out = In[B->getBlockID()];
      transfer(*B, Out, /*Report=*/false);
      for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
        const CFGBlock *SB = Succ.getReachableBlock();
        if (!SB)
          continue;
        unsigned ID = SB->getBlockID();
        State Next = Out;
        if (Seen[ID])
          Next &= In[ID];
        if (!Seen[ID] || Next != In[ID]) {
          Seen[ID] = true;
          In[ID] = Next;
          Work.push_back(SB);
        }
      }
    }
    for (const CFGBlock *B : G) {
      if (!Seen[B->getBlockID()])
        continue; // unreachable code runs nothing
      State St = In[B->getBlockID()];
      transfer(*B, St, /*Report=*/true);
    }
  }

  void transfer(const CFGBlock &B, State &St, bool Report) {
    for (const CFGElement &E : B) {
      std::optional<CFGStmt> CS = E.getAs<CFGStmt>();
      if (!CS)
        continue;
      const Stmt *Node = CS->getStmt();
      if (const auto *DS = dyn_cast<DeclStmt>(Node)) {
        for (const Decl *D : DS->decls())
          if (const auto *V = dyn_cast<VarDecl>(D)) {
            auto It = Vars.find(V);
            if (It == Vars.end())
              continue;
            St.set(It->second);
            if (V->getInit())
              St.set(N + It->second);
          }
        continue;
      }
      if (const auto *DRE = dyn_cast<DeclRefExpr>(Node)) {
        const auto *V = dyn_cast<VarDecl>(DRE->getDecl());
        auto It = V ? Vars.find(V) : Vars.end();
        if (It == Vars.end())
          continue;
        auto UIt = Uses.find(DRE);
        Use U = UIt == Uses.end() ? Use::Read : UIt->second;
        if (Report)
          judge(DRE, V, It->second, U, St);
        if (U == Use::Escape)
          St.set(N + It->second);
        continue;
      }
      if (const auto *BO = dyn_cast<BinaryOperator>(Node)) {
        if (BO->getOpcode() == BO_Assign)
          assign(BO->getLHS(), St);
        continue;
      }
    }
  }

  void assign(const Expr *LHS, State &St) {
    // The whole variable, a member or an element of it: what is not
    // written is null (locals are zero-initialized), never stack garbage.
    if (const VarDecl *V = rootVar(LHS)) {
      auto It = Vars.find(V);
      if (It != Vars.end())
        St.set(N + It->second);
    }
  }

  void judge(const DeclRefExpr *DRE, const VarDecl *V, unsigned I, Use U,
             const State &St) {
    SourceLocation Loc = DRE->getLocation();
    if (U == Use::SelfInit) {
      S.report(Rule::UninitializedPointer, Loc,
               "local variable " + varName(V) + " of type " + quote(V) +
                   " is read in its own initializer");
      return;
    }
    if (!St.test(I)) {
      S.report(Rule::UninitializedPointer, Loc,
               "local variable " + varName(V) + " of type " + quote(V) +
                   " is used where its declaration may have been jumped "
                   "over (goto or switch)",
               "declare it before the jump, with an initializer");
      return;
    }
    if (U == Use::Read && !St.test(N + I))
      S.report(Rule::UninitializedPointer, Loc,
               "local variable " + varName(V) + " of type " + quote(V) +
                   " holds a pointer and may be read before it is assigned");
  }

  std::string quote(const VarDecl *V) const {
    return "'" + V->getType().getAsString(Ctx.getPrintingPolicy()) + "'";
  }

  Session &S;
  ASTContext &Ctx;
  FunctionDecl *FD;
  llvm::DenseMap<const VarDecl *, unsigned> Vars;
  llvm::DenseMap<const DeclRefExpr *, Use> Uses;
  unsigned N = 0;
};

// ---- addresses of locals -------------------------------------------------

// Flow-insensitive: a local that is ever given an address of this
// function's stack (or a value holding one: a view, a struct) carries it
// from then on; returning such a value, or storing it anywhere but in
// another local, is an error.  A callee that keeps an argument's address
// is beyond this analysis (docs/safe-c.md, "Known limits").
class LocalAddresses : public RecursiveASTVisitor<LocalAddresses> {
public:
  LocalAddresses(Session &S, FunctionDecl *FD) : S(S), FD(FD) {}

  void run() {
    TraverseStmt(FD->getBody());
    for (bool Changed = true; Changed;) {
      Changed = false;
      for (auto &Flow : Flows)
        if (!Carriers.count(Flow.first) && mayHold(Flow.second, 0)) {
          Carriers.insert(Flow.first);
          Changed = true;
        }
    }
    for (const ReturnStmt *R : Returns)
      if (R->getRetValue() && mayHold(R->getRetValue(), 0))
        // At `return`: the value may come from a trusted macro's call.
        S.report(Rule::LocalAddress, R->getReturnLoc(),
                 "'" + FD->getNameAsString() +
                     "' returns an address of its own stack frame, which "
                     "ends when it returns");
    for (const BinaryOperator *BO : Stores)
      if (mayHold(BO->getRHS(), 0))
        S.report(Rule::LocalAddress, BO->getOperatorLoc(),
                 "an address of this function's stack frame is stored where "
                 "it outlives the function");
  }

  bool VisitVarDecl(VarDecl *VD) {
    if (VD->hasLocalStorage() && VD->getInit())
      Flows.push_back({VD, VD->getInit()});
    return true;
  }
  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (BO->getOpcode() != BO_Assign)
      return true;
    const VarDecl *Target = rootVar(BO->getLHS());
    if (Target && Target->hasLocalStorage())
      Flows.push_back({Target, BO->getRHS()});
    else
      Stores.push_back(BO);
    return true;
  }
  bool VisitReturnStmt(ReturnStmt *R) {
    Returns.push_back(R);
    return true;
  }

private:
  // Does the object this lvalue designates live in this frame?
  bool localObject(const Expr *L, unsigned Depth) {
    if (Depth > 32)
      return false;
    L = L->IgnoreParens();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(L)) {
      const auto *V = dyn_cast<VarDecl>(DRE->getDecl());
      return V && V->hasLocalStorage();
    }
    if (const auto *CL = dyn_cast<CompoundLiteralExpr>(L))
      return !CL->isFileScope();
    if (const auto *ME = dyn_cast<MemberExpr>(L))
      return ME->isArrow() ? mayHold(ME->getBase(), Depth + 1)
                           : localObject(ME->getBase(), Depth + 1);
    if (const auto *ASE = dyn_cast<ArraySubscriptExpr>(L)) {
      const Expr *B = ASE->getBase()->IgnoreParens();
      if (const auto *D = dyn_cast<ImplicitCastExpr>(B))
        if (D->getCastKind() == CK_ArrayToPointerDecay)
          return localObject(D->getSubExpr(), Depth + 1);
      return mayHold(B, Depth + 1);
    }
    if (const auto *U = dyn_cast<UnaryOperator>(L))
      if (U->getOpcode() == UO_Deref)
        return mayHold(U->getSubExpr(), Depth + 1);
    return false;
  }

  // May this value hold an address of this frame?
  bool mayHold(const Expr *E, unsigned Depth) {
    if (Depth > 32 || !E)
      return false;
    E = E->IgnoreParens();
    if (const auto *C = dyn_cast<CastExpr>(E)) {
      if (C->getCastKind() == CK_ArrayToPointerDecay)
        return localObject(C->getSubExpr(), Depth + 1);
      if (C->getCastKind() == CK_LValueToRValue)
        return lvalueHolds(C->getSubExpr(), Depth + 1);
      return mayHold(C->getSubExpr(), Depth + 1);
    }
    if (const auto *U = dyn_cast<UnaryOperator>(E)) {
      if (U->getOpcode() == UO_AddrOf)
        return localObject(U->getSubExpr(), Depth + 1);
      return false;
    }
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      return lvalueHolds(DRE, Depth + 1);
    if (const auto *CO = dyn_cast<AbstractConditionalOperator>(E))
      return mayHold(CO->getTrueExpr(), Depth + 1) ||
             mayHold(CO->getFalseExpr(), Depth + 1);
    if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
      if (BO->getOpcode() == BO_Comma || BO->isAssignmentOp())
        return mayHold(BO->getRHS(), Depth + 1);
      return false;
    }
    if (const auto *SE = dyn_cast<StmtExpr>(E)) {
      const CompoundStmt *CS = SE->getSubStmt();
      if (!CS->body_empty())
        if (const auto *Last = dyn_cast<Expr>(CS->body_back()))
          return mayHold(Last, Depth + 1);
      return false;
    }
    if (const auto *IL = dyn_cast<InitListExpr>(E)) {
      for (const Expr *I : IL->inits())
        if (mayHold(I, Depth + 1))
          return true;
      return false;
    }
    if (const auto *CL = dyn_cast<CompoundLiteralExpr>(E))
      return mayHold(CL->getInitializer(), Depth + 1);
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      // A view made from a view of this frame (str_sub, bytes_carve, ...)
      // points into it too: a pointer-holding result is taken to carry
      // what its pointer-holding arguments carry.
      if (!containsPointer(Call->getType()))
        return false;
      for (const Expr *A : Call->arguments())
        if (containsPointer(A->getType()) && mayHold(A, Depth + 1))
          return true;
      return false;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E))
      return lvalueHolds(ME, Depth + 1);
    if (const auto *ASE = dyn_cast<ArraySubscriptExpr>(E))
      return lvalueHolds(ASE, Depth + 1);
    return false;
  }

  // Does the value stored in this lvalue carry an address of this frame?
  bool lvalueHolds(const Expr *L, unsigned Depth) {
    if (Depth > 32)
      return false;
    L = L->IgnoreParens();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(L)) {
      const auto *V = dyn_cast<VarDecl>(DRE->getDecl());
      return V && Carriers.count(V);
    }
    if (const auto *ME = dyn_cast<MemberExpr>(L))
      return !ME->isArrow() && lvalueHolds(ME->getBase(), Depth + 1);
    if (const auto *ASE = dyn_cast<ArraySubscriptExpr>(L)) {
      const Expr *B = ASE->getBase()->IgnoreParens();
      if (const auto *D = dyn_cast<ImplicitCastExpr>(B))
        if (D->getCastKind() == CK_ArrayToPointerDecay)
          return lvalueHolds(D->getSubExpr(), Depth + 1);
      return false;
    }
    if (const auto *CL = dyn_cast<CompoundLiteralExpr>(L))
      return mayHold(CL->getInitializer(), Depth + 1);
    return false;
  }

  Session &S;
  FunctionDecl *FD;
  std::vector<std::pair<const VarDecl *, const Expr *>> Flows;
  std::vector<const BinaryOperator *> Stores;
  std::vector<const ReturnStmt *> Returns;
  llvm::DenseSet<const VarDecl *> Carriers;
};

} // namespace

void checkFunctionFlows(Session &S, ASTContext &Ctx, FunctionDecl *FD) {
  if (!FD->getBody())
    return;
  checkFrame(S, Ctx, FD);
  DefiniteAssignment(S, Ctx, FD).run();
  LocalAddresses(S, FD).run();
}

} // namespace safec
