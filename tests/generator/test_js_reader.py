"""The reader of the server's JavaScript (codegen.jsreader) on small sources written the ways
node.js code registers routes and reads requests, so server-diff is not tuned to one tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.jsreader import read_source, tokenize
from codegen.servertree import read_docs_versions, read_tree

SOURCE = r"""
'use strict';
var util = require('util');
var helpers = require('./helpers');
var PATH = '/:account/widgets/:widget';
var FIELDS = ['colour', 'weight'];
var SIGS = { 'RSA-SHA1': true, 'ED25519-SHA512': true };

/* a comment with server.get({path: '/nope', name: 'Commented'}) */
function translate(widget) {
    var obj = { id: widget.uuid, name: widget.name };
    if (widget.size) {
        obj.size = widget.size;  // trailing comment with a / slash
    }
    FIELDS.forEach(function (f) {
        obj[f] = widget[f];
    });
    return (obj);
}

function getWidget(req, res, next) {
    var params = req.params;
    var re = /a\/b[/]c/g;
    var tpl = `widget ${req.params.widget} of ${params.owner}`;
    if (req.params['flavour'] && req.query.verbose) {
        return next(new InvalidArgumentError('flavour %s is not `known`', params.flavour));
    }
    var w = translate(req.widget);
    w.extra = helpers.extraOf(req);
    res.send(w);
    return next();
}

function createWidget(req, res, next) {
    var parts = req.params.parts;
    parts.forEach(function check(part, i) {
        if (part.hasOwnProperty('depth') && !part.width) {
            throw new InvalidArgumentError('part ' + i + ' needs a width');
        }
    });
    return next();
}

const listWidgets = (req, res, next) => {
    res.send(req.widgets.map(translate));
    next();
};

function mount(server, before) {
    server.get({ path: PATH, name: 'GetWidget' }, before, getWidget);
    server.post({
        path: '/:account/widgets',
        name: 'CreateWidget',
        version: ['8.0.0', '9.0.0']
    }, before, createWidget);
    server.get({path: '/:account/widgets', name: 'ListWidgets', version: '9.0.0'},
        before || listWidgets, before ? listWidgets : undefined);
    server.del({ path: PATH, name: 'DeleteWidget' }, before, function del(req, res, next) {
        if (req.params.action !== 'really') { return next(); }
        res.send(204, { gone: req.params.widget, force: req.params.force });
        return next();
    });
    client.get({ path: '/not/a/route' }, function () {});
    return server;
}
"""


def test_tokens_skip_comments_and_keep_strings_templates_and_regexes() -> None:
    tokens = tokenize(SOURCE)
    texts = [t.text for t in tokens]
    assert "Commented" not in " ".join(texts)
    assert any(t.kind == "regex" and t.text == "/a\\/b[/]c/g" for t in tokens)
    assert any(t.kind == "template" and "${req.params.widget}" in t.text for t in tokens)
    assert next(t.line for t in tokens if t.text == "translate") == 10


def test_routes_are_read_however_they_are_written() -> None:
    source = read_source("lib/widgets.js", SOURCE)
    assert source.problems == []
    routes = {r.name: r for r in source.routes}
    assert sorted(routes) == ["CreateWidget", "DeleteWidget", "GetWidget", "ListWidgets"]
    assert (routes["GetWidget"].method, routes["GetWidget"].path) == (
        "GET",
        "/:account/widgets/:widget",
    )
    assert routes["CreateWidget"].versions == ("8.0.0", "9.0.0")
    assert routes["ListWidgets"].versions == ("9.0.0",)
    assert routes["ListWidgets"].handlers == ["before", "listWidgets", "before", "listWidgets"]
    assert routes["DeleteWidget"].method == "DELETE"
    assert routes["DeleteWidget"].handlers == ["before", "mount.del"]


def test_what_functions_read_raise_and_build() -> None:
    functions = {f.name: f for f in read_source("lib/widgets.js", SOURCE).functions}
    get = functions["getWidget"]
    assert get.reads == {"widget", "owner", "flavour", "query.verbose"}
    assert get.errors == {"InvalidArgumentError: flavour %s is not `known`"}
    assert get.from_builders == {"w": "translate"}
    assert get.assigns == {"w.extra"}
    assert "helpers.extraOf" in get.calls
    assert functions["translate"].builds == ["colour", "id", "name", "size", "weight"]
    assert functions["createWidget"].reads == {"parts", "parts[].depth", "parts[].width"}
    assert functions["createWidget.check"].errors == {"InvalidArgumentError: part %s needs a width"}
    assert "translate" in functions["listWidgets"].calls  # handed over by name to map()
    assert source_tables()["SIGS"] == "{ 'RSA-SHA1' : true , 'ED25519-SHA512' : true }"


def source_tables() -> dict[str, str]:
    return read_source("lib/widgets.js", SOURCE).top_level


def test_unreadable_code_is_reported(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "broken.js").write_text("var s = 'never closed\nfunction x() {")
    (tmp_path / "lib" / "odd.js").write_text(
        "function mount(server) { server.get({path: P, name: nameOf()}, h); }\n"
    )
    (tmp_path / "package.json").write_text('{"version": "1.2.3"}')
    tree = read_tree(tmp_path)
    assert tree.version == "1.2.3"
    problems = "\n".join(tree.problems)
    assert "lib/broken.js:0: not read" in problems
    assert "lib/odd.js:1: route registration not understood" in problems
    assert "docs/index.md: no Versions section read" in problems


def test_a_tree_without_lib_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not an sdc-cloudapi tree"):
        read_tree(tmp_path)


def test_docs_versions_take_any_heading_level() -> None:
    text = "# Intro\n\n# Versions\n\nIntro.\n\n## 2.1.0\n\n- Added `thing`.\n\n# 2.0.0\n\n- Support for ED25519 keys.\n\n## 1.0.0\nFirst.\n"
    found = read_docs_versions(text)
    assert [(d.version, d.text) for d in found] == [
        ("2.1.0", "- Added `thing`."),
        ("2.0.0", "- Support for ED25519 keys."),
        ("1.0.0", "First."),
    ]
    assert found[0].mentions == {"thing"}
    assert found[1].mentions == {"ED25519"}


SHARED = r"""
var resources = require('./resources');

function create(req, res, next) {
    var user = req.params.user ? req.params.user : req.account.login;
    var props = ['email', 'phone'];
    props.forEach(function (p) {
        if (req.params[p]) {
            user[p] = req.params[p];
        }
    });
    return next();
}

function mount(server, before) {
    server.post({path: '/:account/keys', name: 'CreateKey'}, before, create,
        resources.tag);
    server.post({path: '/:account/users/:user/keys', name: 'CreateUserKey'}, before, create);
    server.put({path: '/:account/:resource_name', name: 'TagAll'}, before, resources.tag);
    server.put({path: '/:account/:thing/:other', name: 'Other'}, before, create);
}
"""
TAGS = r"""
function tag(req, res, next) {
    if (req.params.resource_name && req.params.colour) {
        return next();
    }
    return next();
}
module.exports = { tag: tag };
"""


def test_keys_read_through_a_loop_over_a_constant_array() -> None:
    source = read_source("lib/keys.js", SHARED)
    reads = set().union(*(f.reads for f in source.functions))
    assert {"email", "phone"} <= reads


def test_another_routes_path_parameter_is_not_this_routes_parameter(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "keys.js").write_text(SHARED)
    (tmp_path / "lib" / "resources.js").write_text(TAGS)
    routes = read_tree(tmp_path).routes
    # create() serves /:account/users/:user/keys too; tag() serves /:account/:resource_name
    assert routes["CreateKey"].reads == {"email", "phone", "colour"}
    assert routes["CreateKey"].others_path == {"user", "resource_name"}
    assert routes["CreateUserKey"].reads == {"email", "phone", "user"}
    # a name in no other route's path stays this route's parameter
    assert "colour" in routes["TagAll"].reads and "resource_name" in routes["TagAll"].reads


BUILDERS = r"""
var NET_FIELDS = ['uuid', 'mtu', 'vlan_id'];

function translateNet(net) {
    var obj = { id: net.uuid };
    NET_FIELDS.forEach(function (p) {
        if (p === 'uuid') {
            return;
        }
        obj[p] = net[p];
    });
    return (obj);
}

function translateKey(key) {
    var obj = jsprim.deepCopy(key);
    obj.status = 'Active';
    return (obj);
}
"""


def test_a_loop_that_skips_a_key_does_not_build_it_and_a_copy_passes_keys_through() -> None:
    functions = {f.name: f for f in read_source("lib/n.js", BUILDERS).functions}
    assert functions["translateNet"].builds == ["id", "mtu", "vlan_id"]
    assert not functions["translateNet"].copies
    assert functions["translateKey"].builds == ["status"]
    assert functions["translateKey"].copies


ACTIONS = r"""
function create(req, res, next) {
    if (req.params.action) {
        return next();
    }
    res.send(201, {name: req.params.name});
    return next();
}

function importIt(req, res, next) {
    if (req.params.action !== 'import') {
        return next();
    }
    res.send(200, {id: req.params.id});
    next(false);
}

function notForImport(req, res, next) {
    if (req.params.action === 'import') {
        next();
        return;
    }
    var c = req.params.colour;
    return next();
}

function tagIt(req, res, next) {
    var tags = req.params['role-tag'];
    return next();
}

function mount(server, before) {
    server.post({path: '/:account/things', name: 'CreateThing'}, before, notForImport,
        create, importIt, tagIt);
}
"""


def test_a_handler_for_requests_without_action_and_next_false_ending_a_chain(
    tmp_path: Path,
) -> None:
    from codegen.serverdiff import _reads

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "things.js").write_text(ACTIONS)
    route = read_tree(tmp_path).routes["CreateThing"]
    assert set(route.actions) == {"", "import", "!import"}
    assert route.stopped == {"import"}
    assert _reads(route, "") == {"name", "role-tag", "colour"}
    # next(false): tagIt never runs; notForImport skips it
    assert _reads(route, "import") == {"id"}
    assert _reads(route) == {"name", "id", "role-tag", "colour"}


def test_has_own_property_reads_its_key_and_a_variable_reads_nothing() -> None:
    source = read_source(
        "lib/v.js",
        "function f(req) { var p = req.params;\n"
        " if (req.params.hasOwnProperty('size') || p.hasOwnProperty('mode')) {}\n"
        " for (k in req.query) { if (!req.params.hasOwnProperty(k)) { continue; } } }\n",
    )
    assert source.functions[0].reads == {"size", "mode"}
