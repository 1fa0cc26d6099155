"""Hostile inputs, for every capability that reads an input file: the registry (`panocarbon capabilities`)
gives each capability's example, the generated reference (`capabilities --markdown`) which of its options
are input paths. Each such option gets in turn a folder, a symbolic link that loops, an empty file, a file
that is not UTF-8, a 1 MB header line, and (for text inputs: CSV, JSON, TXT) copies of the example's file
with a number made 1e400, inf, nan, or every number made 1e306 (which overflows the sums). Every run must
fail as an input or data error: an exit code other than 0 and 70 (internal error), no signal, stderr under
10 KB that names the file. So must --name and --country with bytes that are not UTF-8.

Readers owned elsewhere that still fail here are listed in EXPECTED_FAILURES with the cases they fail:
those failures are reported and do not fail the test; once one passes the test says so, and the case can go."""
import concurrent.futures, json, os, re, shutil, subprocess, sys, time

sys.path.insert(0, os.path.dirname(__file__))
from harness import test, parse_bin, run_all  # noqa: E402

BIN = parse_bin()
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SHARED = os.path.isdir(os.path.join(ROOT, '..', 'shared', 'data'))
MAX_STDERR = 10 * 1024

# (capability, option): readers owned by other modules that do not yet pass every case; the reader is named.
EXPECTED_FAILURES = {}

NUMBER = re.compile(rb'(?:^|(?<=[,\t:\[ ]))-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=[,\t\r\n\]} ]|$)', re.M)


def run(args, tmp, timeout=120, db='hostile.db'):
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, db), PANOCARBON_GFED_EF=os.path.join(
        ROOT, '..', 'shared', 'data', 'natural', 'GFED4_Emission_Factors.txt'))
    p = subprocess.run([BIN, *args], capture_output=True, cwd=ROOT, env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def input_options():
    """{capability: [(option, positional)]} for the options typed PATH that name an input."""
    md = subprocess.run([BIN, 'capabilities', '--markdown'], capture_output=True, check=True).stdout.decode()
    out, name = {}, None
    for line in md.splitlines():
        m = re.match(r'^### `(.+)`$', line)
        if m:
            name = m.group(1)
            continue
        m = re.match(r'^\| `([a-z-]+)` \|.*\(PATH\) \|$', line) or re.match(r'^\| `--([a-z-]+) PATH` \|', line)
        if name and m and m.group(1) not in ('out', 'leontief-out', 'db', 'dest'):
            positional = not line.startswith('| `--')
            if (m.group(1), positional) not in out.setdefault(name, []):
                out[name].append((m.group(1), positional))
    return out


def flags_of(name):
    """The options of a capability that take no value (to walk its example's words)."""
    md = subprocess.run([BIN, 'capabilities', '--markdown'], capture_output=True, check=True).stdout.decode()
    section = md.split(f'### `{name}`', 1)[1].split('\n### ', 1)[0]
    return set(re.findall(r'^\| `--([a-z-]+)` \|', section, re.M))


def example_with(cap, option, positional, value):
    """The example's words with the value of `option` replaced by `value` (or added when the example has none);
    also the example's own value of it."""
    words = list(cap['example'])
    flags = flags_of(cap['name'])
    i, own = 0, None
    while i < len(words):
        w = words[i]
        if w.startswith('--'):
            opt = w[2:].split('=', 1)[0]
            takes_value = opt not in flags and '=' not in w
            if opt == option and not positional:
                own = words[i + 1] if takes_value else w.split('=', 1)[1]
                words[i:i + (2 if takes_value else 1)] = ['--' + option, value]
                return words, own
            i += 2 if takes_value else 1
            continue
        if positional:
            own = w
            words[i] = value
            return words, own
        i += 1
    if positional:
        return [value] + words, None
    return words + ['--' + option, value], None


JSON_TOKEN = re.compile(rb'"(?:\\.|[^"\\])*"|' + NUMBER.pattern, re.M)


def first_number(body, ext):
    """The first number of a file's body; in JSON the first number value, not a digit inside a string."""
    if ext != '.json':
        return NUMBER.search(body)
    return next((m for m in JSON_TOKEN.finditer(body) if not m.group().startswith(b'"')), None)


def hostile_files(tmp, own):
    """(case name, path) of the files every input path option gets; number cases only for a text example."""
    cases = []
    d = os.path.join(tmp, 'a-folder')
    os.makedirs(d, exist_ok=True)
    cases.append(('folder', d))
    loop = os.path.join(tmp, 'loop.csv')
    if not os.path.lexists(loop):
        os.symlink(loop, loop)
    cases.append(('symlink loop', loop))
    empty = os.path.join(tmp, 'empty.csv')
    open(empty, 'wb').close()
    cases.append(('empty file', empty))
    latin1 = os.path.join(tmp, 'latin1.csv')
    with open(latin1, 'wb') as f:
        f.write(b'id,name,value\nr1,caf\xe9 cr\xe8me,1\n')
    cases.append(('not UTF-8', latin1))
    huge = os.path.join(tmp, 'huge-header.csv')
    with open(huge, 'wb') as f:
        f.write(b'h' * (1 << 20) + b',x\n1,2\n')
    cases.append(('1 MB header line', huge))
    if own and os.path.isfile(os.path.join(ROOT, own)) and re.search(r'\.(csv|json|txt)$', own) \
            and os.path.getsize(os.path.join(ROOT, own)) < 2_000_000:
        text = open(os.path.join(ROOT, own), 'rb').read()
        head, sep, body = text.partition(b'\n')
        ext = os.path.splitext(own)[1]
        for label, token in (('1e400', b'1e400'), ('inf', b'inf'), ('nan', b'nan')):
            m = first_number(body, ext)
            if not m:
                break
            p = os.path.join(tmp, f'number-{label}{ext}')
            with open(p, 'wb') as f:
                f.write(head + sep + body[:m.start()] + token + body[m.end():])
            cases.append((f'a number {label}', p))
        if NUMBER.search(body):
            p = os.path.join(tmp, f'overflow-1e306{ext}')
            with open(p, 'wb') as f:
                f.write(head + sep + NUMBER.sub(b'1e306', body))
            cases.append(('every number 1e306', p))
    return cases


def judge(rc, out, err, path, case):
    """What is wrong with a run on a hostile input, or None."""
    if rc < 0:
        return f'killed by signal {-rc}'
    if rc == 0 and case == 'every number 1e306':
        # Numbers that are large but finite may give a finite answer (a G-function whose a_i are all 1e306 is
        # 1): that is right, as long as nothing printed is infinite or not a number.
        bad = re.search(rb'(?i)(?<![a-z])(-?inf|nan)(?![a-z])', out)
        return f'exit 0 with a non-finite number printed ({bad.group().decode()})' if bad else None
    if rc == 0:
        return 'exit 0: the input was accepted'
    if rc == 70:
        return 'exit 70 (internal error)'
    if len(err) >= MAX_STDERR:
        return f'{len(err)} bytes on stderr'
    if path and os.fsencode(path) not in err and os.fsencode(os.path.basename(path)) not in err:
        return 'stderr does not name the file'
    return None


@test
def every_input_path_of_every_capability_refuses_hostile_files(tmp):
    caps = json.loads(run(['capabilities', '--format', 'json'], tmp)[1])
    paths = input_options()
    assert paths, 'no capability reads an input path: the markdown reference changed its layout'
    problems, expected, fixed, jobs = [], [], [], []
    t0 = time.time()
    for cap in caps:
        for option, positional in paths.get(cap['name'], []):
            _, own = example_with(cap, option, positional, 'X')
            if own and '../shared' in own and not SHARED:
                continue
            case_dir = os.path.join(tmp, re.sub(r'\W+', '-', f'{cap["name"]}-{option}'))
            os.makedirs(case_dir)
            for case, path in hostile_files(case_dir, own):
                words, _ = example_with(cap, option, positional, path)
                words = cap['name'].split() + words
                if cap['writes_files']:
                    words += ['--out', os.path.join(case_dir, 'out')]
                jobs.append((cap['name'], option, case, path, words, case_dir))

    def one(job):
        t1 = time.time()
        rc, out, err = run(job[4], job[5], db=f'{id(job)}.db')  # one database each: runs go side by side
        return job, rc, out, err, time.time() - t1

    # Each run is short and mostly start-up: a few at a time keep the test well under a minute.
    seconds = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, jobs))
    runs = len(results)
    for (name, option, case, path, _, _), rc, out, err, dt in results:
        seconds[f'{name} --{option}'] = seconds.get(f'{name} --{option}', 0) + dt
        what = judge(rc, out, err, path, case)
        line = f'{name} --{option} <{case}>: {what}: {err[-300:].decode("utf-8", "replace")}'
        if case in EXPECTED_FAILURES.get((name, option), ()):
            (expected if what else fixed).append(line if what else f'{name} --{option} <{case}>')
        elif what:
            problems.append(line)
    print(f'{runs} hostile runs in {time.time() - t0:.1f} s; the slowest options:',
          ', '.join(f'{k} {v:.1f} s' for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])[:5]))
    for line in expected:
        print('expected failure:', line)
    for line in sorted(set(fixed)):
        print('passes now (its EXPECTED_FAILURES entry can go):', line)
    assert not problems, '\n'.join(problems)


@test
def text_parameters_must_be_utf8(tmp):
    for words, option in ((['inventory', 'calc', 'examples/inventory.csv', '--country', b'Fran\xe7e'], 'country'),
                          (['lca', 'import', 'tests/fixtures/lca/uncertainty', '--name', b'\xff\xfe'], 'name'),
                          (['factors', 'search', b'caf\xe9'], 'query')):
        rc, _, err = run(words, tmp)
        assert rc == 2, (words, rc, err)
        assert len(err) < MAX_STDERR
        assert f"--{option} '".encode() in err and b'is not valid UTF-8' in err, err


@test
def overflowing_inventory_amount_names_the_row(tmp):
    p = os.path.join(tmp, 'big.csv')
    with open(p, 'w') as f:
        f.write('category,activity,amount,unit\n1.A.1.a.i,Natural Gas,1e306,kt\n')
    rc, out, err = run(['inventory', 'calc', p, '--format', 'json'], tmp)
    assert rc == 2, (rc, out[:200], err)
    assert f"{p}:line 2, column 3, field 'amount': invalid input: the emissions of this row overflow".encode() in err, err
    assert b'inf' not in out


@test
def inventory_reference_refuses_inf_and_nan(tmp):
    for bad in ('inf', 'NaN', '1e400'):
        p = os.path.join(tmp, f'supply-{bad}.csv')
        with open(p, 'w') as f:
            f.write(f'fuel,unit,production,imports,exports,stock_change\nNatural Gas,kt,{bad},0,0,0\n')
        rc, _, err = run(['inventory', 'reference', p], tmp)
        assert rc == 2, (bad, rc, err)
        assert f"{p}:line 2, column 3, field 'production': invalid input: '{bad}'".encode() in err, err


@test
def natural_afolu_overflow_is_an_input_error_before_the_database(tmp):
    p = os.path.join(tmp, 'forest.csv')
    with open(p, 'w') as f:
        f.write('id,method,climate,forest_type,area_ha,growth,r,cf\nf1,gain-loss,tropical,broadleaf,1e308,5,0.2,0.47\n')
    rc, out, err = run(['natural', 'afolu', p, '--format', 'json'], tmp)
    assert rc == 2, (rc, out[:300], err)
    assert f"{p}:line 2, field 'area_ha': invalid input: the carbon of forest row 'f1' overflows".encode() in err, err


@test
def pymrio_nr_header_out_of_range(tmp):
    folder = os.path.join(ROOT, '..', 'shared', 'data', 'mrio', 'pymrio-test')
    if not os.path.isdir(folder):
        return
    copy = os.path.join(tmp, 'mrio')
    shutil.copytree(folder, copy)
    fp = os.path.join(copy, 'file_parameters.json')
    params = json.load(open(fp))
    key = sorted(params['files'])[0]
    for bad in (-1, 0, 100000, '-1'):
        params['files'][key]['nr_header'] = bad
        json.dump(params, open(fp, 'w'))
        rc, _, err = run(['mrio', 'info', copy], tmp)
        assert rc == 2, (bad, rc, err)
        assert f'files.{key}.nr_header must be a whole number from 1 to 32'.encode() in err, err


@test
def factors_search_query_is_bounded(tmp):
    t0 = time.time()
    rc, _, err = run(['factors', 'search', ' '.join(f'w{i}' for i in range(8000))], tmp)
    assert rc == 2, (rc, err)
    assert b'too long' in err and len(err) < 1000, err
    rc, _, err = run(['factors', 'search', 'x' * 120_000], tmp)
    assert rc == 2 and b'(120000 bytes)' in err, (rc, err[:500])
    assert time.time() - t0 < 10


run_all('panocarbon-hostile-')
