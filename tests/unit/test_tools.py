"""Tool definitions: parsing with positions, validation rules, lint, argument checks, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from playground.core.session import InputError
from playground.core.tools import (
    ParsedTools,
    Problem,
    check_arguments,
    dump_tools_json,
    format_path,
    json_locator,
    load_tools_file,
    name_problem,
    parse_path,
    parse_tool_text,
    parse_tools_text,
    plainly_valid,
    tool_name,
    validate_tool,
    validate_tools,
)


def make_tool(name: str = "get_weather", parameters: dict | None = None, **function: object) -> dict:
    params = parameters if parameters is not None else {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name."},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Unit."},
        },
        "required": ["city"],
    }
    return {"type": "function",
            "function": {"name": name, "description": "Weather in a city.", "parameters": params, **function}}


def errors(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in problems if p.severity == "warning"]


def error_paths(problems: list[Problem]) -> list[str]:
    return [path for path, _ in errors(problems)]


def reference_rows(reference: Path) -> list[dict]:
    lines = (reference / "tools" / "bfcl_tools_openai.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# --- the reference tools -----------------------------------------------------------------------

def test_every_reference_tool_validates_without_errors(reference):
    rows = reference_rows(reference)
    assert len(rows) == 3420
    found = [(i, p) for i, row in enumerate(rows) for p in validate_tool(row["tool"], i) if p.severity == "error"]
    assert found == []


def test_reference_tools_survive_a_dump_and_load_round_trip(reference, tmp_path):
    unique: dict[str, dict] = {}
    for row in reference_rows(reference):
        unique.setdefault(tool_name(row["tool"]), row["tool"])
    tools = list(unique.values())
    file = tmp_path / "tools.json"
    file.write_text(dump_tools_json(tools), encoding="utf-8")
    loaded = load_tools_file(file)
    assert loaded == tools
    assert dump_tools_json(loaded) == file.read_text(encoding="utf-8")


def test_the_fast_metaschema_path_agrees_with_the_metaschema_on_reference_schemas(reference):
    metaschema = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    schemas = [row["tool"]["function"]["parameters"] for row in reference_rows(reference)[::20]]
    assert all(plainly_valid(s) for s in schemas)
    assert [s for s in schemas if not metaschema.is_valid(s)] == []


@pytest.mark.parametrize("schema", [
    {"type": "strin"},
    {"type": []},
    {"type": ["string", "string"]},
    {"required": "city"},
    {"required": ["a", "a"]},
    {"properties": {"a": 5}},
    {"items": [{"type": "string"}]},
    {"anyOf": []},
    {"minLength": -1},
    {"minLength": True},
    {"multipleOf": 0},
    {"pattern": "("},
    {"description": 5},
    {"enum": "a"},
    {"$anchor": "1bad"},
    {"properties": {"a": {"properties": {"b": {"type": "nope"}}}}},
])
def test_the_fast_metaschema_path_never_accepts_what_the_metaschema_rejects(schema):
    assert plainly_valid(schema) is False


def test_unknown_keywords_are_ignored_like_the_metaschema_does():
    assert plainly_valid({"type": "object", "nullable": True, "x-extra": {"type": "nope"}}) is True


# --- broken text: exact line and column --------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ('[\n  {"type": "function",\n   "function": {"name": "a",}}\n]\n', 3, 29, "trailing comma"),
    ('{\n  "type": "function"\n  "function": {}\n}', 3, 3, "expected ','"),
    ('[{"type": "function", "function": {"name": "get_weather}}]', 1, 44, "never closed"),
    ("[{'type': 'function'}]", 1, 3, "double quotes"),
    ('[\n  {"type": "function"', 2, 22, "ends too early"),
    ('[1] [2]', 1, 5, "extra text"),
])
def test_broken_json_is_reported_at_its_line_and_column(text, line, column, words):
    parsed = parse_tools_text(text)
    assert parsed.tools is None
    assert parsed.ok is False
    [problem] = parsed.problems
    assert (problem.severity, problem.line, problem.column) == ("error", line, column)
    assert words in problem.message


def test_empty_text_is_an_error():
    parsed = parse_tools_text("  \n")
    assert parsed.tools is None
    assert [(p.line, p.message) for p in parsed.problems] == [(1, "the text is empty; expected a tool or a list of tools")]


def test_a_scalar_is_not_a_tool_list():
    parsed = parse_tools_text("42")
    assert parsed.tools is None
    assert errors(parsed.problems) == [("", "expected a tool object or a list of tools, not a number")]


def test_broken_yaml_is_reported_at_its_line():
    parsed = parse_tools_text("- type: function\n  function: [unclosed\n", source="tools.yaml")
    assert parsed.tools is None
    [problem] = parsed.problems
    assert problem.message.startswith("not valid YAML")
    assert problem.line == 3


# --- validation rules --------------------------------------------------------------------------

def test_a_good_tool_has_no_problems():
    assert validate_tool(make_tool()) == []


@pytest.mark.parametrize(("name", "message"), [
    ("get weather", "names may only contain a-z A-Z 0-9 _ - (found ' ')"),
    ("math.sum", "names may only contain a-z A-Z 0-9 _ - (found '.')"),
    ("", "the name is empty"),
    ("x" * 65, "names may have at most 64 characters; this one has 65"),
    (7, "the name must be a string, not a number"),
])
def test_the_name_rule(name, message):
    assert errors(validate_tool(make_tool(name), 2)) == [("tools[2].function.name", message)]


def test_a_name_of_64_allowed_characters_is_fine():
    assert errors(validate_tool(make_tool("a-Z_9" + "x" * 59))) == []


def test_a_missing_name_is_an_error():
    tool = make_tool()
    del tool["function"]["name"]
    assert errors(validate_tool(tool)) == [("tools[0].function.name", "a function needs a name")]


def test_duplicate_names_are_an_error_on_the_later_tool_naming_the_first():
    tools = [make_tool("a"), make_tool("b"), make_tool("a")]
    assert errors(validate_tools(tools)) == [
        ("tools[2].function.name", "duplicate name 'a': tools[0] already has it"),
    ]


def test_name_problem_names_the_rule_or_the_tool_that_has_the_name():
    tools = [make_tool("a"), make_tool("b")]
    assert name_problem(tools, "c") is None
    assert name_problem(tools, "a", index=0) is None  # a tool keeps its own name
    assert name_problem(tools, "a", index=1) == "duplicate name 'a': tools[0] already has it"
    assert name_problem(tools, "b") == "duplicate name 'b': tools[1] already has it"
    assert name_problem(tools, "get weather") == "names may only contain a-z A-Z 0-9 _ - (found ' ')"
    assert name_problem(tools, "") == "the name is empty"


def test_the_openai_shape_is_required():
    assert errors(validate_tools([{"function": {"name": "a"}}, {"type": "tool", "function": {"name": "b"}},
                                  {"type": "function"}, {"type": "function", "function": "x"}, "x"])) == [
        ("tools[0].type", 'a tool needs "type": "function"'),
        ("tools[1].type", "\"type\" must be \"function\", not 'tool'"),
        ("tools[2].function", 'a tool needs a "function" object with name, description, parameters'),
        ("tools[3].function", '"function" must be an object, not a string'),
        ("tools[4]", 'a tool is an object {"type": "function", "function": {...}}, not a string'),
    ]
    assert errors(validate_tools({"a": 1})) == [("tools", "tools must be a list of tool objects, not an object")]


def test_unknown_keys_are_warnings():
    tool = make_tool(examples=[])
    tool["id"] = 1
    problems = validate_tool(tool)
    assert errors(problems) == []
    assert warnings(problems) == [
        ("tools[0].id", "unknown key 'id' in a tool (expected type, function)"),
        ("tools[0].function.examples", "unknown key 'examples' in a function (expected name, description, parameters, strict)"),
    ]


def test_description_and_strict_types():
    tool = make_tool(description=3, strict="yes")
    assert errors(validate_tool(tool)) == [
        ("tools[0].function.description", "the description must be a string, not a number"),
        ("tools[0].function.strict", "\"strict\" must be true or false, not 'yes'"),
    ]


def test_a_function_without_parameters_is_fine():
    tool = make_tool()
    del tool["function"]["parameters"]
    assert validate_tool(tool) == []


def test_a_bad_type_fails_the_metaschema():
    tool = make_tool(parameters={"type": "object", "properties": {"city": {"type": "strin", "description": "c"}}})
    assert errors(validate_tool(tool)) == [(
        "tools[0].function.parameters.properties.city.type",
        "'strin' is not a JSON Schema type; use one of array, boolean, integer, null, number, object, string",
    )]


def test_other_metaschema_violations_are_reported_at_their_path():
    tool = make_tool(parameters={"type": "object", "properties": {"a": {"type": "string", "description": "a",
                                                                         "minLength": -1}},
                                 "required": "a"})
    assert error_paths(validate_tool(tool)) == [
        "tools[0].function.parameters.properties.a.minLength",
        "tools[0].function.parameters.required",
    ]


@pytest.mark.parametrize(("parameters", "message"), [
    ({"properties": {}}, 'parameters needs "type": "object" at the top (OpenAI requires it)'),
    ({"type": "array", "items": {"type": "string"}},
     "the top of parameters must be \"type\": \"object\" (OpenAI requires it), not 'array'"),
])
def test_the_top_of_parameters_must_be_an_object(parameters, message):
    assert errors(validate_tool(make_tool(parameters=parameters))) == [("tools[0].function.parameters.type", message)]


def test_parameters_must_be_an_object():
    assert error_paths(validate_tool(make_tool(parameters=[]))) == ["tools[0].function.parameters"]


def schema_with_refs(*refs: str) -> dict:
    return {
        "type": "object",
        "$defs": {"Unit": {"type": "string", "enum": ["c", "f"]}},
        "definitions": {"City": {"type": "string"}},
        "properties": {f"p{i}": {"$ref": ref} for i, ref in enumerate(refs)},
    }


def test_local_refs_that_resolve_are_fine():
    refs = ("#/$defs/Unit", "#/definitions/City", "#/properties/p0", "#", "#/%24defs/Unit")
    assert validate_tool(make_tool(parameters=schema_with_refs(*refs))) == []


def test_an_unresolvable_ref_is_an_error_at_its_path():
    problems = validate_tool(make_tool(parameters=schema_with_refs("#/$defs/Unit", "#/$defs/Units", "#/nowhere/x")))
    assert errors(problems) == [
        ("tools[0].function.parameters.properties.p1.$ref",
         "$ref '#/$defs/Units' does not resolve: '#/$defs' has no 'Units' (did you mean 'Unit'?)"),
        ("tools[0].function.parameters.properties.p2.$ref",
         "$ref '#/nowhere/x' does not resolve: parameters has no 'nowhere'"),
    ]


def test_refs_inside_defs_and_anchors_are_checked_too():
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}, "b": {"$ref": "#here"}},
              "$defs": {"A": {"type": "array", "items": {"$ref": "#/$defs/B"}},
                        "C": {"$anchor": "here", "type": "string"}}}
    assert errors(validate_tool(make_tool(parameters=schema))) == [
        ("tools[0].function.parameters.$defs.A.items.$ref", "$ref '#/$defs/B' does not resolve: '#/$defs' has no 'B'"),
    ]


def test_a_remote_ref_is_a_warning():
    problems = validate_tool(make_tool(parameters=schema_with_refs("https://example.com/unit.json")))
    assert errors(problems) == []
    assert warnings(problems) == [(
        "tools[0].function.parameters.properties.p0.$ref",
        "$ref 'https://example.com/unit.json' is not local; only refs into parameters ('#/$defs/...') resolve",
    )]


def strict_schema() -> dict:
    return {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City."},
            "when": {"$ref": "#/$defs/When", "description": "When."},
            "tags": {"type": "array", "description": "Tags.",
                     "items": {"type": "object", "properties": {"k": {"type": "string", "description": "k"}},
                               "required": ["k"], "additionalProperties": False}},
            "where": {"description": "Where.", "anyOf": [
                {"type": "object", "properties": {"lat": {"type": "number", "description": "lat"}},
                 "required": ["lat"], "additionalProperties": False},
                {"type": "null"},
            ]},
        },
        "required": ["city", "when", "tags", "where"],
        "additionalProperties": False,
        "$defs": {"When": {"type": "object", "properties": {"day": {"type": ["string", "null"], "description": "d"}},
                           "required": ["day"], "additionalProperties": False}},
    }


def test_a_strict_schema_that_follows_the_rules_is_fine():
    assert validate_tool(make_tool(parameters=strict_schema(), strict=True)) == []


def test_strict_mode_needs_closed_objects_with_every_property_required():
    schema = strict_schema()
    del schema["additionalProperties"]
    schema["required"].remove("city")
    schema["$defs"]["When"]["additionalProperties"] = True
    schema["properties"]["tags"]["items"]["required"] = []
    del schema["properties"]["where"]["anyOf"][0]["additionalProperties"]
    base = "tools[0].function.parameters"
    assert error_paths(validate_tool(make_tool(parameters=schema, strict=True))) == [
        f"{base}.additionalProperties",
        f"{base}.properties.city",
        f"{base}.properties.tags.items.properties.k",
        f"{base}.properties.where.anyOf[0].additionalProperties",
        f"{base}.$defs.When.additionalProperties",
    ]
    assert errors(validate_tool(make_tool(parameters=schema)))  == []


def test_a_required_name_missing_from_properties_is_an_error():
    schema = {"type": "object", "properties": {"city": {"type": "string", "description": "c"}},
              "required": ["city", "ctiy"]}
    assert errors(validate_tool(make_tool(parameters=schema))) == [
        ("tools[0].function.parameters.required[1]", "'ctiy' is required but not in properties"),
    ]


def test_required_keys_of_a_free_form_object_are_a_warning():
    schema = {"type": "object", "properties": {"population": {
        "type": "object", "description": "counts", "required": ["adults"]}}}
    problems = validate_tool(make_tool(parameters=schema))
    assert errors(problems) == []
    assert warnings(problems) == [("tools[0].function.parameters.properties.population.required[0]",
                                   "'adults' is required but not described under properties")]


def enum_schema() -> dict:
    return {"type": "object", "properties": {
        "unit": {"type": "string", "enum": ["c", 5], "description": "u"},
        "n": {"type": ["integer", "null"], "enum": [1, None, 2.0, "3"], "description": "n"},
    }, "required": ["unit", "n"], "additionalProperties": False}


def test_enum_values_of_another_type_are_errors_in_strict_mode():
    assert errors(validate_tool(make_tool(parameters=enum_schema(), strict=True))) == [
        ("tools[0].function.parameters.properties.unit.enum[1]", "enum value 5 is not of the declared type 'string'"),
        ("tools[0].function.parameters.properties.n.enum[3]",
         "enum value '3' is not of the declared type 'integer' or 'null'"),
    ]


def test_enum_values_of_another_type_are_warnings_without_strict_mode():
    problems = validate_tool(make_tool(parameters=enum_schema()))
    assert errors(problems) == []
    assert [path for path, _ in warnings(problems)] == [
        "tools[0].function.parameters.properties.unit.enum[1]",
        "tools[0].function.parameters.properties.n.enum[3]",
    ]


def test_lint_warnings_for_descriptions_and_defaults():
    schema = {"type": "object", "$defs": {"U": {"type": "string", "enum": ["c", "f"]}}, "properties": {
        "a": {"type": "integer"},
        "b": {"type": "integer", "description": " ", "default": "ten"},
        "c": {"type": "integer", "description": "c", "default": 10},
        "d": {"type": "string", "description": "d", "enum": ["x"], "default": "y"},
        "e": {"$ref": "#/$defs/U", "default": "k"},
    }}
    tool = make_tool(parameters=schema)
    del tool["function"]["description"]
    problems = validate_tool(tool)
    assert errors(problems) == []
    base = "tools[0].function.parameters.properties"
    assert warnings(problems) == [
        ("tools[0].function.description", "the function has no description; models choose tools by their descriptions"),
        (f"{base}.a.description", "property 'a' has no description"),
        (f"{base}.b.description", "property 'b' has an empty description"),
        (f"{base}.b.default", "the default does not match its schema: 'ten' is not of type 'integer'"),
        (f"{base}.d.default", "the default does not match its schema: 'y' is not one of ['x']"),
        (f"{base}.e.default", "the default does not match its schema: 'k' is not one of ['c', 'f']"),
    ]


def test_an_empty_function_description_is_a_warning():
    assert warnings(validate_tool(make_tool(description=""))) == [
        ("tools[0].function.description", "the description is empty")]


# --- positions of validation problems ----------------------------------------------------------

MULTI_LINE = """[
  {
    "type": "function",
    "function": {
      "name": "get weather",
      "parameters": {"type": "object", "properties": {"city": {"type": "strin"}}}
    }
  }
]
"""


def test_validation_problems_are_placed_at_their_line_and_column():
    parsed = parse_tools_text(MULTI_LINE)
    assert parsed.tools is not None and parsed.ok is False
    placed = {p.path: (p.line, p.column) for p in parsed.problems}
    assert placed["tools[0].function.name"] == (5, 7)
    assert placed["tools[0].function.parameters.properties.city.type"] == (6, 64)
    # a missing key is placed at its nearest ancestor
    assert placed["tools[0].function.description"] == (4, 5)


def test_problem_text_names_line_column_and_path():
    parsed = parse_tools_text(MULTI_LINE)
    name_problem = next(p for p in parsed.problems if p.path == "tools[0].function.name")
    assert str(name_problem) == "5:7 tools[0].function.name: names may only contain a-z A-Z 0-9 _ - (found ' ')"
    assert str(Problem("warning", "", "plain")) == "plain"


def test_the_position_index_handles_nesting_escapes_and_lists():
    text = '{"a\\"b": [1, {"c": "x,]}"}, [true, null]],\n "d": {}}'
    locate = json_locator(text)
    assert locate(('a"b',)) == (1, 2)
    assert locate(('a"b', 1, "c")) == (1, 15)
    assert locate(('a"b', 2, 1)) == (1, 36)
    assert locate(("d",)) == (2, 2)
    assert locate(("d", "missing")) == (2, 2)
    assert locate(()) == (1, 1)


def test_the_single_tool_editor_places_problems_under_its_index():
    text = '{\n  "type": "function",\n  "function": {"name": "a b"}\n}'
    parsed = parse_tool_text(text, index=3)
    assert [(p.path, p.line, p.column) for p in parsed.errors] == [("tools[3].function.name", 3, 16)]
    assert parsed.tools == [{"type": "function", "function": {"name": "a b"}}]
    assert parse_tool_text("[]").problems[0].message == "expected one tool object, not a list"


# --- input shapes ------------------------------------------------------------------------------

MCP_TOOLS = [{"name": "get_weather", "title": "Weather", "description": "Weather in a city.",
              "inputSchema": {"type": "object", "properties": {"city": {"type": "string", "description": "c"}},
                              "required": ["city"]}}]
OPENAI_FROM_MCP = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city.", "parameters": MCP_TOOLS[0]["inputSchema"]}}]


@pytest.mark.parametrize("data", [
    {"tools": MCP_TOOLS},
    {"jsonrpc": "2.0", "id": 1, "result": {"tools": MCP_TOOLS, "nextCursor": None}},
    MCP_TOOLS,
])
def test_mcp_tools_list_results_become_openai_tools(data):
    parsed = parse_tools_text(json.dumps(data))
    assert parsed.problems == []
    assert parsed.tools == OPENAI_FROM_MCP


def test_problems_in_an_mcp_input_schema_point_into_it():
    text = '{"result": {"tools": [\n  {"name": "a",\n   "inputSchema": {"type": "object", "required": ["x"],\n    "properties": {}}}]}}'
    parsed = parse_tools_text(text)
    [problem] = parsed.errors
    assert problem.path == "tools[0].function.parameters.required[0]"
    assert (problem.line, problem.column) == (3, 51)


def test_one_tool_a_wrapped_list_and_bare_functions_are_accepted():
    tool = make_tool()
    assert parse_tools_text(json.dumps(tool)).tools == [tool]
    assert parse_tools_text(json.dumps({"tools": [tool]})).tools == [tool]
    assert parse_tools_text(json.dumps(tool["function"])).tools == [tool]
    flat = {"type": "function", **tool["function"]}
    assert parse_tools_text(json.dumps([flat])).tools == [tool]


def test_a_problem_in_a_bare_function_points_into_it():
    parsed = parse_tools_text('{"name": "a.b",\n "parameters": {"type": "object"}}')
    assert [(p.path, p.line, p.column) for p in parsed.errors] == [("tools[0].function.name", 1, 2)]


def test_tools_that_are_not_a_list_are_an_error():
    parsed = parse_tools_text('{"tools": {"a": 1}}')
    assert parsed.tools is None
    assert [(p.path, p.line, p.column) for p in parsed.problems] == [("tools", 1, 2)]


def test_yaml_input_is_read_and_placed():
    text = (
        "# my tools\n"
        "- type: function\n"
        "  function:\n"
        "    name: get weather\n"
        "    description: Weather in a city.\n"
        "    parameters:\n"
        "      type: object\n"
        "      properties:\n"
        "        city: {type: string, description: City name.}\n"
        "        day: {type: string, description: Day., default: 2024-01-02}\n"
        "      required: [city]\n"
    )
    parsed = parse_tools_text(text)
    assert parsed.tools is not None
    assert parsed.tools[0]["function"]["parameters"]["properties"]["day"]["default"] == "2024-01-02"
    assert [(p.path, p.line, p.column) for p in parsed.problems] == [("tools[0].function.name", 4, 5)]


@pytest.mark.parametrize("text", ['x{\n  "type": "function"}', 'x[{"type": "function"}]'])
def test_a_stray_character_before_json_is_a_json_error_where_it_is(text):
    for parsed in (parse_tool_text(text), parse_tools_text(text)):
        assert parsed.tools is None
        assert [(p.line, p.column, p.message) for p in parsed.problems] == [
            (1, 1, "expected a value (a string, number, object, array, true, false or null)")]


def test_broken_yaml_that_is_meant_as_yaml_keeps_the_yaml_error():
    parsed = parse_tool_text("type: function\nfunction: {name: a: b}\n")
    assert [(p.line, p.column, p.message) for p in parsed.problems] == [
        (2, 19, "not valid YAML: did not find expected ',' or '}'")]


def test_yaml_by_file_suffix_even_when_it_looks_like_json():
    parsed = parse_tools_text("[{type: function, function: {name: a, description: b}}]", source="t.yml")
    assert parsed.problems == []
    assert parsed.tools == [{"type": "function", "function": {"name": "a", "description": "b"}}]


def test_parsed_tools_ok_ignores_warnings():
    assert ParsedTools([], [Problem("warning", "x", "y")]).ok is True
    assert ParsedTools([], [Problem("error", "x", "y")]).ok is False


def test_paths_round_trip_with_odd_keys():
    loc = ("tools", 0, "function", "parameters", "properties", "a b.c", "$ref", "", "1", 2)
    text = format_path(loc)
    assert text == 'tools[0].function.parameters.properties["a b.c"].$ref[""].1[2]'
    assert parse_path(text) == loc


# --- arguments of a call -----------------------------------------------------------------------

def test_good_arguments_have_no_problems():
    assert check_arguments(make_tool(), {"city": "Paris", "unit": "celsius"}) == []


def test_arguments_of_the_wrong_type():
    assert errors(check_arguments(make_tool(), {"city": 5})) == [("arguments.city", "5 is not of type 'string'")]


def test_missing_required_arguments():
    assert errors(check_arguments(make_tool(), {"unit": "celsius"})) == [
        ("arguments", "'city' is a required property")]


def test_arguments_outside_the_enum():
    assert errors(check_arguments(make_tool(), {"city": "Oslo", "unit": "kelvin"})) == [
        ("arguments.unit", "'kelvin' is not one of ['celsius', 'fahrenheit']")]


def test_nested_arguments_have_nested_paths():
    tool = make_tool(parameters={"type": "object", "properties": {
        "stops": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}}}}}})
    assert errors(check_arguments(tool, {"stops": [{"n": 1}, {"n": "2"}]})) == [
        ("arguments.stops[1].n", "'2' is not of type 'integer'")]


def test_arguments_must_be_an_object():
    assert errors(check_arguments(make_tool(), ["Paris"])) == [
        ("arguments", "arguments must be a JSON object, not a list")]


def test_arguments_of_a_tool_without_parameters_are_free():
    tool = make_tool()
    del tool["function"]["parameters"]
    assert check_arguments(tool, {}) == []


def test_arguments_against_refs_resolve():
    tool = make_tool(parameters=schema_with_refs("#/$defs/Unit"))
    assert check_arguments(tool, {"p0": "c"}) == []
    assert errors(check_arguments(tool, {"p0": "k"})) == [("arguments.p0", "'k' is not one of ['c', 'f']")]


def test_arguments_against_a_broken_schema_give_one_clear_problem():
    tool = make_tool(parameters={"type": "object", "properties": {"a": {"type": "strin"}}})
    [problem] = check_arguments(tool, {"a": 1})
    assert problem.path == "arguments"
    assert "the tool's parameters are invalid" in problem.message


def test_a_schema_edited_in_place_is_checked_as_it_is_now():
    tool = make_tool()
    assert check_arguments(tool, {"city": "Oslo", "unit": "kelvin"}) != []
    tool["function"]["parameters"]["properties"]["unit"]["enum"].append("kelvin")
    assert check_arguments(tool, {"city": "Oslo", "unit": "kelvin"}) == []


# --- files -------------------------------------------------------------------------------------

def test_load_tools_file_reads_json_and_yaml(tmp_path):
    tools = [make_tool()]
    (tmp_path / "t.json").write_text(dump_tools_json(tools), encoding="utf-8")
    (tmp_path / "t.yaml").write_text("- type: function\n  function: {name: get_weather}\n", encoding="utf-8")
    assert load_tools_file(tmp_path / "t.json") == tools
    assert load_tools_file(str(tmp_path / "t.yaml")) == [{"type": "function", "function": {"name": "get_weather"}}]


def test_load_tools_file_missing(tmp_path):
    with pytest.raises(InputError) as raised:
        load_tools_file(tmp_path / "nope.json")
    assert (raised.value.path, raised.value.message) == (str(tmp_path / "nope.json"), "no such file")


def test_load_tools_file_directory(tmp_path):
    with pytest.raises(InputError) as raised:
        load_tools_file(tmp_path)
    assert (raised.value.path, raised.value.message) == (str(tmp_path), "is a folder, not a tools file")


def test_load_tools_file_broken_json(tmp_path):
    file = tmp_path / "tools.json"
    file.write_text('[\n  {"type": "function",\n   "function": {"name": "a",}}\n]\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_tools_file(file)
    error = raised.value
    assert (error.path, error.line, error.column) == (str(file), 3, 29)
    assert str(error).startswith(f"{file}:3:29: trailing comma")


def test_load_tools_file_invalid_tools_raise_and_warnings_do_not(tmp_path):
    file = tmp_path / "tools.json"
    file.write_text('[\n  {"type": "function", "function": {"name": "a b"}},\n  {"type": "function", "function": {"name": "a b"}}\n]',
                    encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_tools_file(file)
    error = raised.value
    assert (error.line, error.column, error.key) == (2, 37, "tools[0].function.name")
    assert error.message == "names may only contain a-z A-Z 0-9 _ - (found ' ') (and 1 more error)"
    file.write_text('[{"type": "function", "function": {"name": "ab", "extra": 1}}]', encoding="utf-8")
    assert tool_name(load_tools_file(file)[0]) == "ab"


def test_load_tools_file_not_utf8(tmp_path):
    file = tmp_path / "tools.json"
    file.write_bytes(b"[\xff]")
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_tools_file(file)


def test_tool_name_and_dump():
    assert tool_name(make_tool("x")) == "x"
    assert tool_name({"name": "bare"}) == "bare"
    assert tool_name("junk") == ""
    assert dump_tools_json([{"a": "é"}]) == '[\n  {\n    "a": "é"\n  }\n]\n'
