# lit configuration for the safe-C checker tests.
#
# Parameters (lit --param NAME=VALUE):
#   plugin    path of the built plugin (safec.plugin)            required
#   objcheck  path of the built objcheck executable           required
#   exec_root where lit writes test outputs   (default: a folder in /tmp)
#   repo      repository root                 (default: two levels up)
#   llvm_bin  LLVM 19 tool folder             (default: /usr/lib/llvm-19/bin)
import os
import subprocess
import tempfile

import lit.formats

config.name = 'safe-c'
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = ['.c', '.test']
config.excludes = ['Inputs', 'lit.cfg.py', 'run_lit_tap.py', 'check_json.py',
                   'expect_exit.py', 'fuzz.py']
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = lit_config.params.get('exec_root') or os.path.join(
    tempfile.gettempdir(), 'safe-c-lit-%d' % os.getuid())

def required_param(name):
    value = lit_config.params.get(name)
    if not value or not os.path.exists(value):
        lit_config.fatal('pass --param %s=PATH (an existing file), got %r' % (name, value))
    return os.path.abspath(value)

plugin = required_param('plugin')
objcheck = required_param('objcheck')
repo = os.path.abspath(lit_config.params.get(
    'repo', os.path.join(config.test_source_root, '..', '..')))
llvm_bin = lit_config.params.get('llvm_bin', '/usr/lib/llvm-19/bin')
kernel_include = os.path.join(repo, 'kernel', 'include')
inputs = os.path.join(config.test_source_root, 'Inputs')
python = '/usr/bin/python3'

# The crate compile flags of the project (crates/meson.build).
crate_flags = ' '.join([
    '-target x86_64-unknown-none-elf -std=gnu23 -ffreestanding -nostdlibinc',
    '-mcmodel=kernel -mno-red-zone -mgeneral-regs-only',
    '-ffunction-sections -fdata-sections -fvisibility=hidden',
    '-fno-omit-frame-pointer -fno-common -fno-pic -fno-stack-protector',
    '-fno-asynchronous-unwind-tables',
    '-fsanitize=array-bounds -fsanitize-trap=array-bounds -fstrict-flex-arrays=3',
    '-Werror=unused-result -O2',
])
clang = os.path.join(llvm_bin, 'clang')  # the clang-19 driver


def clang_path():
    return clang
trusted = os.path.join(inputs, 'trusted')
allowlist = os.path.join(inputs, 'allowlist.txt')

operations = os.path.join(inputs, 'operations.txt')

# The names the trusted headers (kernel/include and Inputs/trusted) declare,
# made by the plugin as the build makes them (checker/trusted_names.py).
os.makedirs(config.test_exec_root, exist_ok=True)
trusted_names = os.path.join(config.test_exec_root, 'trusted-names.txt')
_made = subprocess.run(
    [python, os.path.join(repo, 'checker', 'trusted_names.py'), '--clang', clang_path(),
     '--plugin', plugin, '--trusted-dir', kernel_include, '--trusted-dir', trusted,
     '-o', trusted_names, '--', '-target', 'x86_64-unknown-none-elf', '-std=gnu23',
     '-ffreestanding', '-nostdlibinc', '-mgeneral-regs-only',
     '-I' + os.path.join(inputs, 'crates', 'server', 'include')]
    + ['-I' + os.path.join(repo, 'crates', c, 'include')
       for c in sorted(os.listdir(os.path.join(repo, 'crates')))
       if os.path.isdir(os.path.join(repo, 'crates', c, 'include'))],
    capture_output=True, text=True)
if _made.returncode != 0:
    lit_config.fatal('trusted_names.py failed:\n' + _made.stderr)

plugin_flags = ' '.join([
    '-fplugin=' + plugin,
    '-fplugin-arg-safec-trusted-dir=' + kernel_include,
    '-fplugin-arg-safec-trusted-dir=' + trusted,
    '-fplugin-arg-safec-allowlist=' + allowlist,
    '-fplugin-arg-safec-operations=' + operations,
    '-fplugin-arg-safec-trusted-names=' + trusted_names,
    '-fplugin-arg-safec-summary=0',
])
# theseus/alloc.h includes the heap crate's public header.
# Inputs/hostile holds the headers of the hostile corpus's own crates.
includes = '-I%s -I%s -I%s -I%s -I%s' % (kernel_include, trusted,
                                         os.path.join(inputs, 'crates', 'server', 'include'),
                                         os.path.join(repo, 'crates', 'heap', 'include'),
                                         os.path.join(inputs, 'hostile'))

# Longest names first: lit substitutes in order.
config.substitutions += [
    ('%safec_noplugin', '%s %s %s -fno-caret-diagnostics -ferror-limit=0'
     % (clang, crate_flags, includes)),
    ('%safec', '%s %s %s %s -fno-caret-diagnostics -ferror-limit=0'
     % (clang, crate_flags, includes, plugin_flags)),
    # Reject tests: every safe-c diagnostic and every error must be CHECKed;
    # clang's own warnings may appear.
    ('%check_rules', '%s %%s --implicit-check-not=error: --implicit-check-not=[safe-c-'
     % os.path.join(llvm_bin, 'FileCheck')),
    ('%crate_flags', crate_flags),
    ('%plugin_path', plugin),
    ('%clang', clang),
    ('%objcheck', objcheck),
    ('%ld_lld', os.path.join(llvm_bin, 'ld.lld')),
    ('%readobj', os.path.join(llvm_bin, 'llvm-readobj')),
    ('%kernel_include', kernel_include),
    ('%trusted', trusted),
    ('%inputs', inputs),
    ('%allowlist', allowlist),
    ('%operations', operations),
    ('%trusted_names', trusted_names),
    ('%repo', repo),
    ('%python', python),
    ('%FileCheck', os.path.join(llvm_bin, 'FileCheck')),
    ('%not', os.path.join(llvm_bin, 'not')),
    ('%count', os.path.join(llvm_bin, 'count')),
]
# Diagnostics must not depend on the user's locale or terminal.
config.environment['LC_ALL'] = 'C'
config.environment.pop('CLANG_ENABLE_COLOR', None)

if os.path.isdir(os.path.join(repo, 'crates')):
    config.available_features.add('repo-crates')
