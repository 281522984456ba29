// The AST rules of safe C.  Each check looks at semantics (cast kinds,
// types, declarations) and leaves the whitelist decision to Session::report.
// Default-deny: statement and declaration kinds, builtins and types not on
// the lists below are errors, and every node is visited, including the
// expressions inside types (sizeof(type), typeof) and unevaluated operands.
#include "Rules.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

using namespace clang;

namespace safec {

namespace {

// Libc names and builtins that read or write raw memory by byte count.  A
// name is matched after dropping the __builtin_ / __builtin___..._chk /
// ..._inline decorations, so every builtin form is covered.
const llvm::StringSet<> RawMemoryNames = {
    "memcpy",  "memmove", "memset",   "memcmp",   "memchr",   "memrchr",
    "memccpy", "mempcpy", "memmem",   "bcopy",    "bzero",    "bcmp",
    "explicit_bzero", "strcpy", "strncpy", "strcat", "strncat", "strlen",
    "strnlen", "strcmp",  "strncmp",  "strcasecmp", "strncasecmp", "strchr",
    "strrchr", "strstr",  "strdup",   "strndup",  "strtok",   "strtok_r",
    "strspn",  "strcspn", "strpbrk",  "stpcpy",   "stpncpy",  "strlcpy",
    "strlcat", "strcoll", "strxfrm",  "sprintf",  "snprintf", "vsprintf",
    "vsnprintf", "gets",  "wmemcpy",  "wmemmove",
    "wmemset", "wmemcmp", "wmemchr",  "wcscpy",   "wcsncpy",  "wcslen",
    "wcscat",  "wcsncat", "wcscmp",   "wcsncmp",  "wcschr",   "wcsrchr",
};

const llvm::StringSet<> HaltNames = {
    "abort", "exit", "_exit", "_Exit", "quick_exit", "__assert_fail",
    "__assert", "__stack_chk_fail", "panic", "kernel_panic", "halt",
    "machine_halt", "qemu_exit",
    "__builtin_trap", "__builtin_debugtrap", "__builtin_verbose_trap",
    "__builtin_unreachable", "__builtin_abort", "__builtin_exit",
    "__builtin__exit", "__builtin__Exit",
};

const llvm::StringSet<> SetjmpNames = {
    "setjmp", "_setjmp", "__setjmp", "sigsetjmp", "__sigsetjmp", "longjmp",
    "_longjmp", "__longjmp", "siglongjmp", "__builtin_setjmp",
    "__builtin_longjmp", "getcontext", "setcontext", "swapcontext",
    "makecontext", "__builtin_eh_return", "__builtin_unwind_init",
};

const llvm::StringSet<> AllocaNames = {
    "alloca", "_alloca", "__builtin_alloca", "__builtin_alloca_with_align",
    "__builtin_alloca_uninitialized",
    "__builtin_alloca_with_align_uninitialized",
};

const llvm::StringSet<> VarargNames = {
    "__builtin_va_start", "__builtin_va_end", "__builtin_va_copy",
    "__builtin_stdarg_start", "__builtin_c23_va_start", "__va_start",
    "__builtin_ms_va_start", "__builtin_ms_va_end", "__builtin_ms_va_copy",
};

// The builtins crate code may call: integer arithmetic and bit operations
// on values, nothing that reads or writes memory it is not given by type,
// nothing that tells the optimizer something it cannot check
// (__builtin_assume, __builtin_unreachable), nothing target-specific.
const llvm::StringSet<> AllowedBuiltins = {
    "__builtin_expect", "__builtin_expect_with_probability",
    "__builtin_constant_p",
    "__builtin_clz", "__builtin_clzl", "__builtin_clzll", "__builtin_clzs", "__builtin_clzg",
    "__builtin_ctz", "__builtin_ctzl", "__builtin_ctzll", "__builtin_ctzs", "__builtin_ctzg",
    "__builtin_popcount", "__builtin_popcountl", "__builtin_popcountll", "__builtin_popcountg",
    "__builtin_parity", "__builtin_parityl", "__builtin_parityll",
    "__builtin_ffs", "__builtin_ffsl", "__builtin_ffsll",
    "__builtin_clrsb", "__builtin_clrsbl", "__builtin_clrsbll",
    "__builtin_bswap16", "__builtin_bswap32", "__builtin_bswap64",
    "__builtin_bitreverse8", "__builtin_bitreverse16", "__builtin_bitreverse32",
    "__builtin_bitreverse64",
    "__builtin_rotateleft8", "__builtin_rotateleft16", "__builtin_rotateleft32",
    "__builtin_rotateleft64", "__builtin_rotateright8", "__builtin_rotateright16",
    "__builtin_rotateright32", "__builtin_rotateright64",
    "__builtin_add_overflow", "__builtin_sub_overflow", "__builtin_mul_overflow",
    "__builtin_sadd_overflow", "__builtin_saddl_overflow", "__builtin_saddll_overflow",
    "__builtin_uadd_overflow", "__builtin_uaddl_overflow", "__builtin_uaddll_overflow",
    "__builtin_ssub_overflow", "__builtin_ssubl_overflow", "__builtin_ssubll_overflow",
    "__builtin_usub_overflow", "__builtin_usubl_overflow", "__builtin_usubll_overflow",
    "__builtin_smul_overflow", "__builtin_smull_overflow", "__builtin_smulll_overflow",
    "__builtin_umul_overflow", "__builtin_umull_overflow", "__builtin_umulll_overflow",
    "__builtin_abs", "__builtin_labs", "__builtin_llabs",
    "__atomic_thread_fence", "__atomic_signal_fence",
    "__c11_atomic_thread_fence", "__c11_atomic_signal_fence",
};

// Atomic operations crate code may use (on any object it has a typed
// pointer to); the generic forms that copy through extra pointers are not
// among them.
bool allowedAtomic(AtomicExpr::AtomicOp Op) {
  switch (Op) {
  case AtomicExpr::AO__c11_atomic_init:
  case AtomicExpr::AO__c11_atomic_load:
  case AtomicExpr::AO__c11_atomic_store:
  case AtomicExpr::AO__c11_atomic_exchange:
  case AtomicExpr::AO__c11_atomic_compare_exchange_strong:
  case AtomicExpr::AO__c11_atomic_compare_exchange_weak:
  case AtomicExpr::AO__c11_atomic_fetch_add:
  case AtomicExpr::AO__c11_atomic_fetch_sub:
  case AtomicExpr::AO__c11_atomic_fetch_and:
  case AtomicExpr::AO__c11_atomic_fetch_or:
  case AtomicExpr::AO__c11_atomic_fetch_xor:
  case AtomicExpr::AO__atomic_load_n:
  case AtomicExpr::AO__atomic_store_n:
  case AtomicExpr::AO__atomic_exchange_n:
  case AtomicExpr::AO__atomic_compare_exchange_n:
  case AtomicExpr::AO__atomic_fetch_add:
  case AtomicExpr::AO__atomic_fetch_sub:
  case AtomicExpr::AO__atomic_fetch_and:
  case AtomicExpr::AO__atomic_fetch_or:
  case AtomicExpr::AO__atomic_fetch_xor:
  case AtomicExpr::AO__atomic_add_fetch:
  case AtomicExpr::AO__atomic_sub_fetch:
  case AtomicExpr::AO__atomic_and_fetch:
  case AtomicExpr::AO__atomic_or_fetch:
  case AtomicExpr::AO__atomic_xor_fetch:
    return true;
  default:
    return false;
  }
}

// Statement and expression kinds of the C subset.  Anything else (vector
// shuffles, blocks, OpenMP, Microsoft extensions, ...) is an error.
bool allowedStmtClass(Stmt::StmtClass C) {
  switch (C) {
  case Stmt::NullStmtClass:
  case Stmt::CompoundStmtClass:
  case Stmt::LabelStmtClass:
  case Stmt::AttributedStmtClass:
  case Stmt::IfStmtClass:
  case Stmt::SwitchStmtClass:
  case Stmt::WhileStmtClass:
  case Stmt::DoStmtClass:
  case Stmt::ForStmtClass:
  case Stmt::GotoStmtClass:
  case Stmt::ContinueStmtClass:
  case Stmt::BreakStmtClass:
  case Stmt::ReturnStmtClass:
  case Stmt::DeclStmtClass:
  case Stmt::CaseStmtClass:
  case Stmt::DefaultStmtClass:
  // Reported by their own rules.
  case Stmt::GCCAsmStmtClass:
  case Stmt::MSAsmStmtClass:
  case Stmt::IndirectGotoStmtClass:
  case Stmt::AddrLabelExprClass:
  case Stmt::VAArgExprClass:
  // Expressions.
  case Stmt::ConditionalOperatorClass:
  case Stmt::BinaryConditionalOperatorClass:
  case Stmt::OpaqueValueExprClass:
  case Stmt::ImplicitCastExprClass:
  case Stmt::CStyleCastExprClass:
  case Stmt::BuiltinBitCastExprClass:
  case Stmt::BinaryOperatorClass:
  case Stmt::CompoundAssignOperatorClass:
  case Stmt::UnaryOperatorClass:
  case Stmt::UnaryExprOrTypeTraitExprClass:
  case Stmt::ArraySubscriptExprClass:
  case Stmt::CallExprClass:
  case Stmt::MemberExprClass:
  case Stmt::CompoundLiteralExprClass:
  case Stmt::InitListExprClass:
  case Stmt::DesignatedInitExprClass:
  case Stmt::DesignatedInitUpdateExprClass:
  case Stmt::ImplicitValueInitExprClass:
  case Stmt::NoInitExprClass:
  case Stmt::ParenExprClass:
  case Stmt::DeclRefExprClass:
  case Stmt::IntegerLiteralClass:
  case Stmt::CharacterLiteralClass:
  case Stmt::StringLiteralClass:
  case Stmt::FloatingLiteralClass:
  case Stmt::PredefinedExprClass:
  case Stmt::StmtExprClass:
  case Stmt::GenericSelectionExprClass:
  case Stmt::ChooseExprClass:
  case Stmt::OffsetOfExprClass:
  case Stmt::TypeTraitExprClass:
  case Stmt::SourceLocExprClass:
  case Stmt::ConstantExprClass:
  case Stmt::AtomicExprClass:
  case Stmt::CXXNullPtrLiteralExprClass: // C23 nullptr
  case Stmt::CXXBoolLiteralExprClass:    // C23 true, false
  case Stmt::RecoveryExprClass: // already a compile error
    return true;
  default:
    return false;
  }
}

bool allowedDeclKind(Decl::Kind K) {
  switch (K) {
  case Decl::TranslationUnit:
  case Decl::Var:
  case Decl::ParmVar:
  case Decl::Function:
  case Decl::Field:
  case Decl::IndirectField:
  case Decl::Record:
  case Decl::Enum:
  case Decl::EnumConstant:
  case Decl::Typedef:
  case Decl::Label:
  case Decl::StaticAssert:
  case Decl::FileScopeAsm: // [safe-c-inline-asm]
  case Decl::Empty:
    return true;
  default:
    return false;
  }
}

llvm::StringRef rawMemoryBase(llvm::StringRef Name) {
  if (Name.consume_front("__builtin___")) {
    Name.consume_back("_chk");
    return Name;
  }
  if (Name.consume_front("__builtin_"))
    Name.consume_back("_inline");
  return Name;
}

bool anyRedeclHasAnnotation(const FunctionDecl *FD, llvm::StringRef What) {
  for (const FunctionDecl *R : FD->redecls())
    if (hasAnnotation(R, What))
      return true;
  return false;
}

QualType stripAtomic(QualType T) {
  if (const auto *AT = T->getAs<AtomicType>())
    return AT->getValueType();
  return T;
}

bool isPointer(QualType T) { return stripAtomic(T)->isPointerType(); }

// The expression an operation works on, past parentheses and implicit
// conversions: where a crate's operand of a trusted macro is spelled.
const Expr *operandOf(const Expr *E) {
  for (;;) {
    const Expr *Next = E->IgnoreParens();
    if (const auto *IC = dyn_cast<ImplicitCastExpr>(Next))
      Next = IC->getSubExpr();
    if (Next == E)
      return E;
    E = Next;
  }
}

// A record with a flexible array member, directly or as the last member of
// a member struct: copying or declaring one leaves its items behind.
bool hasFlexibleArrayMember(QualType T) {
  const RecordDecl *RD = T.getCanonicalType()->getAsRecordDecl();
  if (!RD || !(RD = RD->getDefinition()))
    return false;
  if (RD->hasFlexibleArrayMember())
    return true;
  const FieldDecl *Last = nullptr;
  for (const FieldDecl *F : RD->fields())
    Last = F;
  return Last && hasFlexibleArrayMember(Last->getType());
}

class RuleVisitor : public RecursiveASTVisitor<RuleVisitor> {
  using Base = RecursiveASTVisitor<RuleVisitor>;

public:
  RuleVisitor(Session &S, ASTContext &Ctx, bool BoundsChecked)
      : S(S), Ctx(Ctx), BoundsChecked(BoundsChecked) {}

  // Semantic forms of initializer lists carry the implicit conversions.
  bool shouldVisitImplicitCode() const { return true; }

  // ---- default-deny: kinds of statements, declarations, types -------------

  bool VisitStmt(Stmt *St) {
    if (!allowedStmtClass(St->getStmtClass()))
      S.report(Rule::Construct, St->getBeginLoc(),
               std::string("'") + St->getStmtClassName() +
                   "' is not in the safe C subset");
    if (auto *E = dyn_cast<Expr>(St))
      checkExprType(E);
    return true;
  }

  bool VisitDecl(Decl *D) {
    if (D->isImplicit())
      return true;
    if (!allowedDeclKind(D->getKind()))
      S.report(Rule::Construct, D->getLocation(),
               std::string("declaration kind '") + D->getDeclKindName() +
                   "' is not in the safe C subset");
    if (auto *VD = dyn_cast<VarDecl>(D))
      if (VD->getTLSKind() != VarDecl::TLS_None)
        S.report(Rule::Construct, VD->getLocation(),
                 "thread-local variable '" + VD->getNameAsString() + "'",
                 "keep per-task state in the task's own objects");
    return true;
  }

  // Types as written: every TypeLoc, however deep (casts, sizeof, typeof,
  // compound literals, _Generic associations, declarations).
  bool VisitTypeLoc(TypeLoc TL) {
    QualType T = TL.getType();
    SourceLocation Loc = TL.getBeginLoc();
    if (Loc.isInvalid())
      return true;
    if (auto VL = TL.getAs<VariableArrayTypeLoc>()) {
      // Once per bound: char[4][n] is reported at [n].
      if (!VL.getElementLoc().getType()->isVariablyModifiedType())
        S.report(Rule::Vla, VL.getLBracketLoc(),
                 "variable-length array type " + quote(T));
      return true;
    }
    if (auto CL = TL.getAs<ConstantArrayTypeLoc>()) {
      if (const auto *CAT = Ctx.getAsConstantArrayType(T))
        if (CAT->getSize() == 0)
          S.report(Rule::FlexibleArray, CL.getLBracketLoc(),
                   "zero-length array type " + quote(T),
                   "give the array at least one element, or use "
                   "HEAP_ARRAY_TYPE for a run-time count");
      return true;
    }
    checkTypeKind(T, Loc);
    return true;
  }

  // ---- casts --------------------------------------------------------------

  bool VisitCastExpr(CastExpr *E) {
    Expr *Sub = E->getSubExpr();
    SourceLocation Loc = castLoc(E);
    switch (E->getCastKind()) {
    case CK_IntegralToPointer:
    case CK_PointerToIntegral:
      if (!isNullConstant(Sub))
        S.report(Rule::IntPointerCast, Loc,
                 "cast from " + quote(Sub->getType()) + " to " +
                     quote(E->getType()) +
                     " converts between an integer and a pointer");
      break;
    case CK_BitCast:
    case CK_NoOp:
    case CK_AddressSpaceConversion:
    case CK_AnyPointerToBlockPointerCast:
    case CK_BlockPointerToObjCPointerCast:
    case CK_CPointerToObjCPointerCast:
      if (isPointerLike(Sub->getType()) || isPointerLike(E->getType()))
        checkPointerConversion(E, Sub, Loc);
      break;
    case CK_LValueToRValueBitCast:
      checkBitCast(E, Sub);
      break;
    case CK_ToUnion:
      S.report(Rule::Union, Loc, "cast to union type " + quote(E->getType()));
      break;
    case CK_ToVoid:
      checkDiscarded(Sub, Loc, /*ByVoidCast=*/true);
      break;
    case CK_LValueToRValue:
      if (hasFlexibleArrayMember(E->getType()))
        S.report(Rule::FlexibleArray, operandOf(Sub)->getExprLoc(),
                 "copy of " + quote(E->getType()) +
                     ", which has a flexible array member: the copy leaves "
                     "its items behind");
      if (!E->getType()->isRecordType())
        markAccessed(Sub);
      break;
    case CK_ArrayToPointerDecay:
      checkFlexibleDecay(Sub);
      break;
    default:
      break;
    }
    return true;
  }

  // ---- pointer arithmetic -------------------------------------------------

  bool VisitBinaryOperator(BinaryOperator *E) {
    switch (E->getOpcode()) {
    case BO_Add:
    case BO_Sub:
    case BO_AddAssign:
    case BO_SubAssign: {
      QualType L = E->getLHS()->getType(), R = E->getRHS()->getType();
      if (E->getOpcode() == BO_Sub && isPointer(L) && isPointer(R))
        S.report(Rule::PointerArithmetic, E->getOperatorLoc(),
                 "pointer difference between " + quote(L) + " and " +
                     quote(R));
      else if (isPointer(L) || isPointer(R))
        S.report(Rule::PointerArithmetic, E->getOperatorLoc(),
                 "pointer arithmetic ('" + E->getOpcodeStr().str() +
                     "') on " + quote(isPointer(L) ? L : R));
      break;
    }
    case BO_Comma:
      checkDiscarded(E->getLHS(), SourceLocation(), false);
      break;
    default:
      break;
    }
    if (E->isAssignmentOp()) {
      checkSealedWrite(E->getLHS(), E->getOperatorLoc(), "assignment to");
      // The bounds check is exact (index < bound) only for a subscript
      // written straight as the target of a scalar assignment.
      if (!E->getType()->isRecordType())
        markAccessed(E->getLHS(), /*AllowParens=*/false);
    }
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator *E) {
    if (E->isIncrementDecrementOp())
      checkSealedWrite(E->getSubExpr(), E->getOperatorLoc(),
                       E->isIncrementOp() ? "increment of" : "decrement of");
    else if (E->getOpcode() == UO_AddrOf) {
      checkSealedWrite(E->getSubExpr(), E->getOperatorLoc(),
                       "address taken of");
      checkFlexibleDecay(E->getSubExpr());
    }
    if (E->isIncrementDecrementOp() && isPointer(E->getSubExpr()->getType()))
      S.report(Rule::PointerArithmetic, E->getOperatorLoc(),
               "pointer arithmetic ('" +
                   UnaryOperator::getOpcodeStr(E->getOpcode()).str() +
                   "') on " + quote(E->getSubExpr()->getType()));
    return true;
  }

  bool VisitArraySubscriptExpr(ArraySubscriptExpr *E) {
    Expr *BaseE = E->getBase()->IgnoreParens();
    QualType BaseType = BaseE->getType();
    if (BaseType->isVectorType())
      return true; // [safe-c-construct] reports vector types
    auto *Decay = dyn_cast<ImplicitCastExpr>(BaseE);
    if (!Decay || Decay->getCastKind() != CK_ArrayToPointerDecay) {
      S.report(Rule::PointerArithmetic, E->getRBracketLoc(),
               "subscript of pointer " + quote(BaseType));
      return true;
    }
    Expr *Array = Decay->getSubExpr();
    QualType ArrayType = Array->getType();
    // The inner subscript of m[i][j] is checked with the outer one (not
    // through parentheses: (m[i])[j] checks m[i] as a decay).
    if (Accessed.count(E))
      if (auto *Inner = dyn_cast<ArraySubscriptExpr>(Array))
        Accessed.insert(Inner);
    if (isConstantIndexInBounds(E, ArrayType))
      return true; // in range of the declared bound: no run-time check needed
    if (!BoundsChecked) {
      S.report(Rule::PointerArithmetic, E->getRBracketLoc(),
               "subscript of array " + quote(ArrayType) +
                   " is not bounds-checked in this compile",
               "compile crates with -fsanitize=array-bounds "
               "-fsanitize-trap=array-bounds");
      return true;
    }
    if (ArrayType->isVariableArrayType())
      return true; // [safe-c-vla] reports the type itself
    bool Counted = isCountedFlexibleArray(Array);
    if (!Counted && !Ctx.getAsConstantArrayType(ArrayType)) {
      S.report(Rule::PointerArithmetic, E->getRBracketLoc(),
               "subscript of array " + quote(ArrayType) +
                   " whose bound is not known");
      return true;
    }
    if (!Counted &&
        Array->isFlexibleArrayMemberLike(
            Ctx, Ctx.getLangOpts().getStrictFlexArraysLevel(), true)) {
      S.report(Rule::PointerArithmetic, E->getRBracketLoc(),
               "subscript of trailing array member " + quote(ArrayType) +
                   ", which the bounds check treats as flexible",
               "compile with -fstrict-flex-arrays=3, or give the array a "
               "counted_by field");
      return true;
    }
    // clang checks `index < bound` only where the element is read or
    // written straight away; everywhere else (&a[i], a[i]++, struct copies,
    // (a[i]) = v, decay of a row) it lets `index == bound` through, which
    // is one element past the end.
    if (!Accessed.count(E))
      S.report(Rule::Bounds, E->getRBracketLoc(),
               "subscript of " + quote(ArrayType) +
                   " with a run-time index is checked here only against one "
                   "past the end");
    return true;
  }

  bool VisitMemberExpr(MemberExpr *E) {
    QualType BaseType = E->getBase()->getType();
    if (E->isArrow())
      BaseType = BaseType->getPointeeType();
    else
      markAccessed(E->getBase(), /*AllowParens=*/false);
    if (const RecordDecl *RD = BaseType->getAsRecordDecl()) {
      if (RD->isUnion())
        S.report(Rule::Union, E->getMemberLoc(),
                 "access to member '" +
                     E->getMemberDecl()->getNameAsString() + "' of union " +
                     quote(BaseType.getUnqualifiedType()));
    }
    if (auto *FD = dyn_cast<FieldDecl>(E->getMemberDecl()))
      checkSealedAccess(FD->getParent(), E->getMemberLoc(),
                        "access to field '" + FD->getNameAsString() + "'");
    return true;
  }

  bool VisitCompoundAssignOperator(CompoundAssignOperator *E) {
    // markAccessed happens in VisitBinaryOperator (its base class).
    return true;
  }

  bool VisitAtomicExpr(AtomicExpr *E) {
    if (!allowedAtomic(E->getOp())) {
      S.report(Rule::Builtin, E->getBuiltinLoc(),
               "this atomic builtin is not on the allowlist");
      return true;
    }
    switch (E->getOp()) {
    case AtomicExpr::AO__c11_atomic_fetch_add:
    case AtomicExpr::AO__c11_atomic_fetch_sub:
    case AtomicExpr::AO__atomic_fetch_add:
    case AtomicExpr::AO__atomic_fetch_sub:
    case AtomicExpr::AO__atomic_add_fetch:
    case AtomicExpr::AO__atomic_sub_fetch: {
      QualType Obj = stripAtomic(E->getPtr()->getType()->getPointeeType());
      if (Obj->isPointerType())
        S.report(Rule::PointerArithmetic, E->getBuiltinLoc(),
                 "atomic pointer arithmetic on " + quote(Obj));
      break;
    }
    default:
      break;
    }
    return true;
  }

  // ---- calls and references to functions ---------------------------------

  bool VisitDeclRefExpr(DeclRefExpr *E) {
    auto *FD = dyn_cast<FunctionDecl>(E->getDecl());
    if (!FD || !FD->getIdentifier())
      return true;
    llvm::StringRef Name = FD->getName();
    SourceLocation Loc = E->getLocation();
    std::string Use = "use of '" + Name.str() + "'";
    if (RawMemoryNames.contains(rawMemoryBase(Name)))
      S.report(Rule::RawMemory, Loc,
               Use + ", which reads or writes raw memory by byte count");
    else if (HaltNames.contains(Name) ||
             S.Opts.ExtraHaltFunctions.contains(Name) ||
             anyRedeclHasAnnotation(FD, "theseus.halts"))
      S.report(Rule::Halt, Loc, Use + ", which can halt the machine");
    else if (SetjmpNames.contains(Name))
      S.report(Rule::Setjmp, Loc, Use + ", a non-local jump");
    else if (anyRedeclHasAnnotation(FD, "theseus.trusted_only"))
      S.report(Rule::TrustedOnly, Loc,
               Use + ", which only the trusted headers' own macros may call");
    else if (AllocaNames.contains(Name))
      S.report(Rule::Alloca, Loc, Use + ", a stack allocation of run-time size");
    else if (VarargNames.contains(Name))
      S.report(Rule::Variadic, Loc, Use + ", which walks variadic arguments");
    else if (anyRedeclHasAnnotation(FD, "theseus.halting"))
      checkOperation(FD, Loc, Rule::Halting, "a halting operation");
    else if (anyRedeclHasAnnotation(FD, "theseus.restricted"))
      checkOperation(FD, Loc, Rule::Restricted, "a restricted operation");
    else if (isBuiltinName(FD) && !AllowedBuiltins.contains(Name))
      S.report(Rule::Builtin, Loc,
               Use + ", a builtin that is not on the allowlist");
    return true;
  }

  bool VisitCallExpr(CallExpr *E) {
    const FunctionDecl *FD = E->getDirectCallee();
    if (!FD)
      return true;
    checkMacroOperands(E, FD);
    if (!FD->getBuiltinID() || E->getNumArgs() == 0)
      return true;
    llvm::StringRef Name = FD->getName();
    QualType Arg0 = E->getArg(0)->IgnoreImpCasts()->getType();
    bool PointerArith =
        (Name == "__builtin_align_up" || Name == "__builtin_align_down") &&
        isPointer(Arg0);
    if (PointerArith)
      S.report(Rule::PointerArithmetic, E->getBeginLoc(),
               "pointer arithmetic through '" + Name.str() + "'");
    return true;
  }

  bool VisitVAArgExpr(VAArgExpr *E) {
    S.report(Rule::Variadic, E->getBuiltinLoc(), "use of va_arg");
    return true;
  }

  // ---- statements -----------------------------------------------------------

  bool VisitGCCAsmStmt(GCCAsmStmt *St) {
    S.report(Rule::InlineAsm, St->getAsmLoc(), "inline assembly");
    return true;
  }
  bool VisitMSAsmStmt(MSAsmStmt *St) {
    S.report(Rule::InlineAsm, St->getAsmLoc(), "inline assembly");
    return true;
  }
  bool VisitFileScopeAsmDecl(FileScopeAsmDecl *D) {
    S.report(Rule::InlineAsm, D->getAsmLoc(), "file-scope assembly");
    return true;
  }

  bool VisitAddrLabelExpr(AddrLabelExpr *E) {
    S.report(Rule::ComputedGoto, E->getAmpAmpLoc(),
             "address of label '" + E->getLabel()->getName().str() + "'");
    return true;
  }
  bool VisitIndirectGotoStmt(IndirectGotoStmt *St) {
    S.report(Rule::ComputedGoto, St->getGotoLoc(), "computed goto");
    return true;
  }

  // Expressions whose value is thrown away, by statement position.
  bool VisitStmtExpr(StmtExpr *E) {
    if (!E->getSubStmt()->body_empty())
      ValueStatements.insert(E->getSubStmt()->body_back());
    return true;
  }
  bool VisitCompoundStmt(CompoundStmt *St) {
    for (Stmt *Child : St->body())
      if (!ValueStatements.count(Child))
        discardedStatement(Child);
    return true;
  }
  bool VisitIfStmt(IfStmt *St) {
    discardedStatement(St->getThen());
    discardedStatement(St->getElse());
    return true;
  }
  bool VisitWhileStmt(WhileStmt *St) {
    discardedStatement(St->getBody());
    return true;
  }
  bool VisitDoStmt(DoStmt *St) {
    discardedStatement(St->getBody());
    return true;
  }
  bool VisitForStmt(ForStmt *St) {
    discardedStatement(St->getInit());
    discardedStatement(St->getInc());
    discardedStatement(St->getBody());
    return true;
  }
  bool VisitSwitchStmt(SwitchStmt *St) {
    discardedStatement(St->getBody());
    return true;
  }
  bool VisitSwitchCase(SwitchCase *St) {
    discardedStatement(St->getSubStmt());
    return true;
  }
  bool VisitLabelStmt(LabelStmt *St) {
    discardedStatement(St->getSubStmt());
    return true;
  }
  bool VisitAttributedStmt(AttributedStmt *St) {
    discardedStatement(St->getSubStmt());
    return true;
  }

  // ---- initializers: sealed state and flexible arrays ---------------------

  bool VisitInitListExpr(InitListExpr *E) {
    if (!E->isSemanticForm())
      return true;
    const RecordDecl *RD = E->getType()->getAsRecordDecl();
    if (!RD)
      return true;
    for (const Expr *Init : E->inits())
      if (Init && !isa<ImplicitValueInitExpr>(Init)) {
        checkSealedAccess(RD, E->getLBraceLoc(),
                          "initializer that sets fields");
        if (const RecordDecl *W = sealedRecord(RD, "theseus.sealed_writes"))
          reportSealedWrite(W, E->getLBraceLoc(),
                            "initializer that sets fields of");
        break;
      }
    return true;
  }

  bool VisitCompoundLiteralExpr(CompoundLiteralExpr *E) {
    if (hasFlexibleArrayMember(E->getType()))
      S.report(Rule::FlexibleArray, E->getLParenLoc(),
               "compound literal of " + quote(E->getType()) +
                   ", which has a flexible array member");
    return true;
  }

  // ---- declarations -------------------------------------------------------

  bool VisitRecordDecl(RecordDecl *RD) {
    if (RD->isUnion() && !RD->isImplicit())
      S.report(Rule::Union, RD->getLocation(),
               RD->getIdentifier()
                   ? "declaration of union '" + RD->getName().str() + "'"
                   : std::string("declaration of an anonymous union"));
    // A forward declaration (struct status;) names the trusted type; a
    // definition would be another one.
    if (RD->isThisDeclarationADefinition())
      checkTrustedRedeclaration(RD);
    return true;
  }

  bool VisitEnumDecl(EnumDecl *ED) {
    if (ED->isThisDeclarationADefinition())
      checkTrustedRedeclaration(ED);
    return true;
  }
  bool VisitEnumConstantDecl(EnumConstantDecl *D) {
    checkTrustedRedeclaration(D);
    return true;
  }
  bool VisitTypedefNameDecl(TypedefNameDecl *D) {
    if (D->getDeclContext()->isFileContext())
      checkTrustedRedeclaration(D);
    return true;
  }

  bool VisitFieldDecl(FieldDecl *FD) {
    if (!FD->getType()->isIncompleteArrayType() &&
        hasFlexibleArrayMember(FD->getType()))
      S.report(Rule::FlexibleArray, FD->getLocation(),
               "member '" + FD->getNameAsString() + "' of type " +
                   quote(FD->getType()) +
                   ", which has a flexible array member");
    return true;
  }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (FD->isImplicit())
      return true;
    if (FD->isVariadic() && FD->doesThisDeclarationHaveABody())
      S.report(Rule::Variadic, FD->getLocation(),
               "definition of variadic function '" + FD->getNameAsString() +
                   "'");
    checkTrustedRedeclaration(FD);
    checkSymbolRename(FD);
    if (hasFlexibleArrayMember(FD->getReturnType()))
      S.report(Rule::FlexibleArray, FD->getLocation(),
               "function '" + FD->getNameAsString() + "' returns " +
                   quote(FD->getReturnType()) +
                   ", which has a flexible array member, by value");
    // Judged by where the body is written: a trusted macro may declare a
    // function (KTEST) whose body the crate writes.
    if (FD->doesThisDeclarationHaveABody() &&
        !S.isTrustedLoc(FD->getBody()->getBeginLoc()))
      checkFunctionFlows(S, Ctx, FD);
    return true;
  }

  bool VisitVarDecl(VarDecl *VD) {
    if (VD->isImplicit())
      return true;
    if (hasFlexibleArrayMember(VD->getType()) ||
        (VD->getType()->isArrayType() &&
         hasFlexibleArrayMember(Ctx.getBaseElementType(VD->getType()))))
      S.report(Rule::FlexibleArray, VD->getLocation(),
               "'" + VD->getNameAsString() + "' of type " +
                   quote(VD->getType()) +
                   " has a flexible array member: only HEAP_NEW_ARRAY makes "
                   "such objects, with their items");
    if (VD->isFileVarDecl() || VD->hasExternalStorage())
      checkTrustedRedeclaration(VD);
    checkSymbolRename(VD);
    checkTestScratch(VD);
    return true;
  }

private:
  // KTEST_SCRATCH (theseus/ktest.h) puts a static in a section that swaps
  // neither carry nor count: only the statics of a crate's test and
  // benchmark files may be there, or a crate could hide its state from a
  // swap.  Judged by the file the declaration is written in.
  void checkTestScratch(const VarDecl *VD) {
    const auto *SA = VD->getAttr<SectionAttr>();
    if (!SA || SA->getName() != ".bss.ktest_scratch")
      return;
    SourceLocation Written = S.SM.getExpansionLoc(VD->getLocation());
    llvm::StringRef File = llvm::sys::path::filename(S.SM.getFilename(Written));
    if (S.isTrustedLoc(Written))
      return;
    if (!File.ends_with("_test.c") && !File.ends_with("_bench.c"))
      S.report(Rule::TestScratch, VD->getLocation(),
               "'" + VD->getNameAsString() + "' is KTEST_SCRATCH in '" +
                   File.str() +
                   "': scratch is for the statics of *_test.c and *_bench.c "
                   "files, which swaps neither carry nor count");
    else if (VD->hasExternalStorage() || VD->isExternallyVisible())
      S.report(Rule::TestScratch, VD->getLocation(),
               "'" + VD->getNameAsString() +
                   "' is KTEST_SCRATCH but not static: scratch stays in the "
                   "file that declares it");
  }

  std::string quote(QualType T) const {
    return "'" + T.getAsString(Ctx.getPrintingPolicy()) + "'";
  }

  // Where a conversion is judged: an implicit conversion happens because of
  // its operand's type, and an explicit cast in a trusted macro's body
  // applied straight to a crate's operand is the crate's conversion: both
  // are judged where the operand is spelled, so a trusted macro cannot
  // launder what a crate passes it.
  SourceLocation castLoc(CastExpr *E) {
    const Expr *Op = operandOf(E->getSubExpr());
    if (isa<ImplicitCastExpr>(E))
      return Op->getExprLoc();
    SourceLocation Own = isa<CStyleCastExpr>(E)
                             ? cast<CStyleCastExpr>(E)->getLParenLoc()
                             : E->getExprLoc();
    if (S.isTrustedLoc(Own) && !S.isTrustedLoc(Op->getExprLoc()))
      return Op->getExprLoc();
    return Own;
  }

  bool isNullConstant(Expr *E) const {
    return E->isNullPointerConstant(Ctx, Expr::NPC_ValueDependentIsNotNull) !=
           Expr::NPCK_NotNull;
  }

  static bool isPointerLike(QualType T) {
    T = stripAtomic(T);
    return T->isPointerType() || T->isBlockPointerType() ||
           T->isObjCObjectPointerType();
  }

  static bool isBuiltinName(const FunctionDecl *FD) {
    llvm::StringRef Name = FD->getName();
    return FD->getBuiltinID() != 0 || Name.starts_with("__builtin") ||
           Name.starts_with("__sync_") || Name.starts_with("__atomic_") ||
           Name.starts_with("__c11_atomic") || Name.starts_with("__scoped_atomic");
  }

  // Vectors, matrices, blocks, address spaces: the subset has none.
  void checkTypeKind(QualType T, SourceLocation Loc) {
    if (T.isNull())
      return;
    QualType C = T.getCanonicalType();
    const char *What = nullptr;
    if (C->isVectorType() || C->isExtVectorType())
      What = "vector type ";
    else if (C->isConstantMatrixType())
      What = "matrix type ";
    else if (C->isBlockPointerType())
      What = "block pointer type ";
    else if (C.hasAddressSpace())
      What = "type with an address space ";
    if (What)
      S.report(Rule::Construct, Loc,
               std::string(What) + quote(T) + " is not in the safe C subset");
  }

  void checkExprType(Expr *E) {
    QualType T = E->getType();
    if (T.isNull())
      return;
    QualType C = T.getCanonicalType();
    if (C->isVectorType() || C->isExtVectorType() || C->isConstantMatrixType() ||
        C->isBlockPointerType() || C.hasAddressSpace())
      checkTypeKind(T, E->getExprLoc());
  }

  bool isConstantIndexInBounds(const ArraySubscriptExpr *E,
                               QualType ArrayType) const {
    const ConstantArrayType *CAT = Ctx.getAsConstantArrayType(ArrayType);
    if (!CAT)
      return false;
    std::optional<llvm::APSInt> Index = E->getIdx()->getIntegerConstantExpr(Ctx);
    if (!Index)
      return false;
    if (Index->isSigned() && Index->isNegative())
      return false;
    return Index->getLimitedValue() < CAT->getLimitedSize();
  }

  bool isCountedFlexibleArray(const Expr *Array) const {
    const auto *ME = dyn_cast<MemberExpr>(Array->IgnoreParens());
    if (!ME)
      return false;
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    return FD && FD->getType()->isIncompleteArrayType() &&
           FD->getType()->getAs<CountAttributedType>();
  }

  // Subscripts whose bounds check is exact: the operand of a scalar load,
  // the target of a scalar (compound) assignment, the base of '.'.  Parents
  // are visited before children, so the mark is there when the subscript
  // is judged.
  void markAccessed(Expr *E, bool AllowParens = true) {
    Expr *Inner = AllowParens ? E->IgnoreParens() : E;
    if (auto *ASE = dyn_cast<ArraySubscriptExpr>(Inner))
      Accessed.insert(ASE);
  }

  // A flexible array member becomes a pointer only as the base of a
  // subscript (which the bounds check sees); a bare decay or its address
  // reaches items the count may not cover.
  void checkFlexibleDecay(Expr *Sub) {
    const auto *ME = dyn_cast<MemberExpr>(Sub->IgnoreParens());
    if (!ME)
      return;
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!FD || !FD->getType()->isIncompleteArrayType())
      return;
    if (SubscriptBases.count(Sub->IgnoreParens()))
      return;
    S.report(Rule::FlexibleArray, ME->getMemberLoc(),
             "flexible array member '" + FD->getNameAsString() +
                 "' used as a pointer");
  }

public:
  // Records the decayed array of every subscript before its children are
  // visited (see checkFlexibleDecay).
  bool TraverseArraySubscriptExpr(ArraySubscriptExpr *E,
                                  DataRecursionQueue *Queue = nullptr) {
    if (auto *Decay = dyn_cast<ImplicitCastExpr>(E->getBase()->IgnoreParens()))
      if (Decay->getCastKind() == CK_ArrayToPointerDecay)
        SubscriptBases.insert(Decay->getSubExpr()->IgnoreParens());
    return Base::TraverseArraySubscriptExpr(E, Queue);
  }

private:
  // Pointer to pointer: the unqualified pointee must stay the same and its
  // qualifiers may only grow.  Erasing the type to `void *` is allowed (the
  // way back is not), so crate code can hand pointers to trusted
  // interfaces that take `const void *`.
  void checkPointerConversion(CastExpr *E, Expr *Sub, SourceLocation Loc) {
    if (isNullConstant(Sub))
      return;
    QualType From = stripAtomic(Sub->getType()), To = stripAtomic(E->getType());
    std::string What = "cast from " + quote(Sub->getType()) + " to " +
                       quote(E->getType());
    if (!From->isPointerType() || !To->isPointerType()) {
      if (!Ctx.hasSameType(From, To))
        S.report(Rule::PointerCast, Loc, What + " changes the pointer kind");
      return;
    }
    Qualifiers FQ, TQ;
    QualType FP = Ctx.getUnqualifiedArrayType(From->getPointeeType(), FQ);
    QualType TP = Ctx.getUnqualifiedArrayType(To->getPointeeType(), TQ);
    if (FP->isFunctionType() || TP->isFunctionType()) {
      if (!Ctx.hasSameType(FP, TP))
        S.report(Rule::FunctionPointerCast, Loc,
                 What + " changes a function pointer type");
      return;
    }
    if (FQ.getAddressSpace() != TQ.getAddressSpace()) {
      S.report(Rule::PointerCast, Loc, What + " changes the address space");
      return;
    }
    std::string Dropped;
    if (FQ.hasConst() && !TQ.hasConst())
      Dropped = "const";
    if (FQ.hasVolatile() && !TQ.hasVolatile())
      Dropped += Dropped.empty() ? "volatile" : " and volatile";
    if (!Ctx.hasSameType(FP, TP) && !TP->isVoidType()) {
      S.report(Rule::PointerCast, Loc, What + " changes the pointee type");
      return;
    }
    if (!Dropped.empty())
      S.report(Rule::CastQual, Loc, What + " discards '" + Dropped + "'");
  }

  // __builtin_bit_cast: reinterpreting plain bits is harmless, making or
  // unmaking pointers from bits is not.
  void checkBitCast(CastExpr *E, Expr *Sub) {
    QualType From = Sub->getType(), To = E->getType();
    std::string What = "bit cast from " + quote(From) + " to " + quote(To);
    if (isPointer(From) && isPointer(To)) {
      if (!Ctx.hasSameType(stripAtomic(From), stripAtomic(To)))
        S.report(Rule::PointerCast, E->getExprLoc(),
                 What + " changes the pointee type");
    } else if (containsPointer(From) || containsPointer(To)) {
      S.report(Rule::IntPointerCast, E->getExprLoc(),
               What + " reinterprets pointer bits");
    }
  }

  void discardedStatement(Stmt *St) {
    if (auto *E = dyn_cast_or_null<Expr>(St))
      checkDiscarded(E, SourceLocation(), false);
  }

  // E's value is thrown away.  Loc is where (a void cast), if not E itself.
  void checkDiscarded(Expr *E, SourceLocation Loc, bool ByVoidCast) {
    E = E->IgnoreParenImpCasts();
    if (auto *C = dyn_cast<CStyleCastExpr>(E)) {
      if (C->getCastKind() == CK_ToVoid)
        return; // checked where the cast is visited
    }
    if (auto *B = dyn_cast<BinaryOperator>(E)) {
      if (B->getOpcode() == BO_Comma)
        checkDiscarded(B->getRHS(), Loc, ByVoidCast);
      return;
    }
    if (auto *C = dyn_cast<ConditionalOperator>(E)) {
      checkDiscarded(C->getTrueExpr(), Loc, ByVoidCast);
      checkDiscarded(C->getFalseExpr(), Loc, ByVoidCast);
      return;
    }
    if (auto *C = dyn_cast<BinaryConditionalOperator>(E)) {
      checkDiscarded(C->getFalseExpr(), Loc, ByVoidCast);
      return;
    }
    if (auto *SE = dyn_cast<StmtExpr>(E)) {
      if (!SE->getSubStmt()->body_empty())
        if (auto *Last = dyn_cast<Expr>(SE->getSubStmt()->body_back()))
          checkDiscarded(Last, Loc, ByVoidCast);
      return;
    }
    auto *Call = dyn_cast<CallExpr>(E);
    if (!Call || !Call->getUnusedResultAttr(Ctx))
      return;
    std::string Callee = "a call";
    if (const FunctionDecl *FD = Call->getDirectCallee())
      Callee = "'" + FD->getNameAsString() + "'";
    S.report(Rule::DiscardedResult, Loc.isValid() ? Loc : Call->getBeginLoc(),
             "result of type " + quote(Call->getCallReturnType(Ctx)) +
                 " returned by " + Callee + " is discarded" +
                 (ByVoidCast ? " by a cast to void" : ""));
  }

  // Sealed: the definition carries annotate("theseus.sealed"); a field of an
  // anonymous member struct belongs to the sealed struct around it.
  const RecordDecl *sealedRecord(const RecordDecl *RD,
                                 llvm::StringRef Mark = "theseus.sealed") const {
    while (RD) {
      const RecordDecl *Def = RD->getDefinition() ? RD->getDefinition() : RD;
      for (const TagDecl *R : Def->redecls())
        if (hasAnnotation(R, Mark))
          return Def;
      if (!RD->isAnonymousStructOrUnion())
        return nullptr;
      RD = dyn_cast<RecordDecl>(RD->getParent());
    }
    return nullptr;
  }

  // Who may touch a sealed struct's fields at Loc: "" when the code there
  // is its owner's, else the owner, described.
  std::string foreignOwner(const RecordDecl *Sealed, SourceLocation Loc) {
    SourceLocation DefLoc = S.SM.getFileLoc(Sealed->getLocation());
    bool KernelOwned = S.isTrustedLoc(DefLoc);
    std::string Owner = S.crateOfFile(S.SM.getFileID(DefLoc));
    std::string Compiling = S.crateOfFile(S.SM.getMainFileID());
    if (!Owner.empty() &&
        (Owner == Compiling || Owner == S.crateOfLoc(Loc)))
      return "";
    return KernelOwned ? std::string("the trusted kernel headers")
           : Owner.empty() ? std::string("a file outside any crate folder")
                           : "crate '" + Owner + "'";
  }

  void checkSealedAccess(const RecordDecl *RD, SourceLocation Loc,
                         const std::string &What) {
    const RecordDecl *Sealed = sealedRecord(RD);
    if (!Sealed)
      return;
    std::string OwnerText = foreignOwner(Sealed, Loc);
    if (OwnerText.empty())
      return;
    S.report(Rule::SealedField, Loc,
             What + " of sealed struct '" + Sealed->getNameAsString() +
                 "', owned by " + OwnerText);
  }

  // SEALED_WRITES: anyone reads the fields, only the owner writes them (a
  // slice whose pointer and length trusted code relies on). A write is an
  // assignment, an increment or decrement, taking the field's address, or
  // an initializer that sets fields.
  void reportSealedWrite(const RecordDecl *Sealed, SourceLocation Loc,
                         const std::string &What) {
    std::string OwnerText = foreignOwner(Sealed, Loc);
    if (OwnerText.empty())
      return;
    S.report(Rule::SealedField, Loc,
             What + " struct '" + Sealed->getNameAsString() +
                 "', whose fields only " + OwnerText + " write",
             "build it with the owner's helpers (for slices: STR, "
             "STR_FROM_ARRAY, BYTES_OF, str_sub, bytes_carve)");
  }

  void checkSealedWrite(const Expr *Target, SourceLocation Loc,
                        const std::string &How) {
    const auto *ME = dyn_cast<MemberExpr>(Target->IgnoreParenImpCasts());
    const auto *FD = ME ? dyn_cast<FieldDecl>(ME->getMemberDecl()) : nullptr;
    const RecordDecl *Sealed =
        FD ? sealedRecord(FD->getParent(), "theseus.sealed_writes") : nullptr;
    if (Sealed)
      reportSealedWrite(Sealed, Loc,
                        How + " field '" + FD->getNameAsString() + "' of");
  }

  // ---- trusted macros' operands -------------------------------------------

  // Where to report a problem with a call's argument: the crate's own
  // token inside it, past the trusted macro's parentheses, '&' and
  // conversions; else where the macro was used.
  SourceLocation crateOperandLoc(const Expr *Arg, const CallExpr *Call) {
    const Expr *E = Arg;
    for (unsigned Depth = 0; Depth < 8; ++Depth) {
      E = operandOf(E);
      SourceLocation L = E->getExprLoc();
      if (!S.isTrustedLoc(L))
        return L;
      if (const auto *U = dyn_cast<UnaryOperator>(E))
        E = U->getSubExpr();
      else
        break;
    }
    return S.SM.getExpansionLoc(Call->getBeginLoc());
  }

  // Parameters of trusted helpers annotated with what their argument must
  // be: a string literal (STR), or the address of a plain object whose
  // bytes anyone may write (BYTES_OF).
  void checkMacroOperands(CallExpr *E, const FunctionDecl *FD) {
    unsigned N = std::min<unsigned>(E->getNumArgs(), FD->getNumParams());
    for (unsigned I = 0; I < N; ++I) {
      const ParmVarDecl *P = FD->getParamDecl(I);
      const Expr *Arg = E->getArg(I);
      if (hasAnnotation(P, "theseus.string_literal")) {
        if (!isa<StringLiteral>(operandOf(Arg)) &&
            !isa<PredefinedExpr>(operandOf(Arg)))
          S.report(Rule::MacroOperand, crateOperandLoc(Arg, E),
                   "'" + FD->getNameAsString() +
                       "' needs a string literal; this is " +
                       quote(operandOf(Arg)->getType()),
                   "STR takes a string literal; make a view of an array "
                   "with STR_FROM_ARRAY or STR_FROM_CSTR_ARRAY");
      }
      if (hasAnnotation(P, "theseus.plain_object")) {
        QualType PT = operandOf(Arg)->getType();
        QualType Obj = PT->isPointerType() ? PT->getPointeeType() : PT;
        std::string Why = notPlain(Obj, 0);
        if (!Why.empty())
          S.report(Rule::MacroOperand, crateOperandLoc(Arg, E),
                   "a writable byte view of " + quote(Obj) + ": " + Why,
                   "BYTES_OF takes an object of integers and arrays of "
                   "them that the crate may write; copy fields one by one");
      }
    }
  }

  // Why writing arbitrary bytes into an object of type T is unsafe ("" when
  // it is not): it would forge a pointer, change const or sealed state,
  // make a bool neither 0 nor 1, or a count its items do not match.
  std::string notPlain(QualType T, unsigned Depth) {
    if (Depth > 16)
      return "it nests too deep";
    if (T.isConstQualified())
      return quote(T) + " is const";
    if (T.isVolatileQualified())
      return quote(T) + " is volatile";
    QualType C = stripAtomic(T.getCanonicalType());
    if (C->isPointerType() || C->isBlockPointerType() ||
        C->isMemberPointerType())
      return quote(T) + " is a pointer";
    if (C->isBooleanType())
      return quote(T) + " has only two valid values";
    if (C->isIntegerType() || C->isRealFloatingType())
      return "";
    if (const ArrayType *AT = C->getAsArrayTypeUnsafe()) {
      if (!isa<ConstantArrayType>(AT))
        return quote(T) + " has no known size";
      return notPlain(AT->getElementType(), Depth + 1);
    }
    if (const RecordDecl *RD = C->getAsRecordDecl()) {
      if (RD->isUnion())
        return quote(T) + " is a union";
      RD = RD->getDefinition();
      if (!RD)
        return quote(T) + " is incomplete";
      if (sealedRecord(RD) || sealedRecord(RD, "theseus.sealed_writes"))
        return quote(T) + " is sealed";
      if (RD->hasFlexibleArrayMember())
        return quote(T) + " has a flexible array member";
      for (const FieldDecl *F : RD->fields()) {
        std::string Why = notPlain(F->getType(), Depth + 1);
        if (!Why.empty())
          return "field '" + F->getNameAsString() + "': " + Why;
      }
      return "";
    }
    return quote(T) + " is not plain data";
  }

  // ---- halting and restricted operations ---------------------------------

  void checkOperation(const FunctionDecl *FD, SourceLocation Loc, Rule R,
                      const char *What) {
    std::string Crate = S.crateOfFile(S.SM.getMainFileID());
    auto It = S.Opts.Operations.find(Crate);
    if (It != S.Opts.Operations.end() && It->second.count(FD->getName()))
      return;
    S.report(R, Loc,
             "use of '" + FD->getNameAsString() + "', " + What +
                 ", by crate '" + (Crate.empty() ? std::string("?") : Crate) +
                 "', which is not named for it" +
                 (S.Opts.OperationsPath.empty()
                      ? std::string(" (no operations allowlist given)")
                      : " in " + S.Opts.OperationsPath));
  }

  // ---- cross-file: the trusted headers' names -----------------------------

  // A crate may not declare what a trusted header declares: it includes
  // the header.  A declaration of its own (another prototype, a struct of
  // another layout, [[noreturn]] added) would be a lie to the compiler
  // about code the crate does not own.
  void checkTrustedRedeclaration(const NamedDecl *D) {
    if (!D->getIdentifier() || S.Opts.TrustedNames.empty())
      return;
    SourceLocation Loc = D->getLocation();
    if (Loc.isInvalid() || S.isTrustedLoc(Loc) || S.isPredefinedLoc(Loc) ||
        S.isBenignMacroDefinition(Loc))
      return;
    bool IsTag = isa<TagDecl>(D);
    std::string Key = (IsTag ? "tag:" : "") + D->getName().str();
    auto It = S.Opts.TrustedNames.find(Key);
    if (It == S.Opts.TrustedNames.end())
      return;
    S.reportAlways(Rule::TrustedRedeclaration, Loc,
                   "crate code declares " +
                       std::string(IsTag ? "type '" : "'") +
                       (IsTag ? cast<TagDecl>(D)->getKindName().str() + " "
                              : std::string()) +
                       D->getName().str() + "', which the trusted header " +
                       It->second + " declares",
                   "include <" + It->second +
                       "> and use its declaration; a declaration of your own "
                       "could differ from it");
  }

  void checkSymbolRename(const Decl *D) {
    const auto *ND = cast<NamedDecl>(D);
    if (const auto *A = D->getAttr<AsmLabelAttr>(); A && !A->isImplicit())
      S.report(Rule::SymbolRename, A->getLocation(),
               "asm label binds '" + ND->getNameAsString() + "' to symbol '" +
                   A->getLabel().str() + "'");
    // weakref("x") also attaches an alias attribute: report it once.
    if (const auto *A = D->getAttr<WeakRefAttr>()) {
      const auto *Alias = D->getAttr<AliasAttr>();
      std::string Target = Alias ? Alias->getAliasee().str()
                                 : A->getAliasee().str();
      S.report(Rule::SymbolRename, A->getLocation(),
               "'" + ND->getNameAsString() + "' is a weak reference to '" +
                   Target + "'");
    } else if (const auto *A = D->getAttr<AliasAttr>()) {
      S.report(Rule::SymbolRename, A->getLocation(),
               "'" + ND->getNameAsString() + "' is an alias of '" +
                   A->getAliasee().str() + "'");
    }
    if (const auto *A = D->getAttr<IFuncAttr>())
      S.report(Rule::SymbolRename, A->getLocation(),
               "'" + ND->getNameAsString() + "' is an ifunc resolved by '" +
                   A->getResolver().str() + "'");
  }

  Session &S;
  ASTContext &Ctx;
  bool BoundsChecked;
  llvm::DenseSet<const Stmt *> ValueStatements;
  llvm::DenseSet<const ArraySubscriptExpr *> Accessed;
  llvm::DenseSet<const Expr *> SubscriptBases;
};

} // namespace

bool hasAnnotation(const Decl *D, llvm::StringRef What) {
  for (const auto *A : D->specific_attrs<AnnotateAttr>())
    if (A->getAnnotation() == What)
      return true;
  return false;
}

bool containsPointer(QualType T) {
  T = stripAtomic(T.getCanonicalType());
  if (T->isPointerType() || T->isBlockPointerType() ||
      T->isMemberPointerType())
    return true;
  if (const ArrayType *AT = T->getAsArrayTypeUnsafe())
    return containsPointer(AT->getElementType());
  if (const RecordDecl *RD = T->getAsRecordDecl()) {
    if (const RecordDecl *Def = RD->getDefinition())
      for (const FieldDecl *F : Def->fields())
        if (containsPointer(F->getType()))
          return true;
  }
  return false;
}

void checkTranslationUnit(Session &S, ASTContext &Ctx, bool BoundsChecked) {
  RuleVisitor V(S, Ctx, BoundsChecked);
  V.TraverseDecl(Ctx.getTranslationUnitDecl());
}

} // namespace safec
