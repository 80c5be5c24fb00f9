using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace Defender.ErrorMiddleware.OpenApi.Tests;

public sealed class InferenceTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private JsonObject _openApi = null!;
    private JsonObject _swagger = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApi.StartAsync();
        _openApi = await Documents.GetAsync(_app, TestApi.OpenApiPath);
        _swagger = await Documents.GetAsync(_app, TestApi.SwaggerPath);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string, string, string> Cases() => new()
    {
        // path, method, expected "status:code,code;status:code"
        { "/api/health", "get", "500:InternalServerError" },
        { "/api/machines/{id}", "get", "404:ResourceNotFound;500:InternalServerError" },
        { "/api/alerts/{id}", "get", "404:NotFound,ResourceNotFound;500:InternalServerError" },
        { "/api/machines", "get", "400:InvalidInput,MissingRequiredParameter;500:InternalServerError" },
        { "/api/files", "get", "404:NotFound;500:InternalServerError" },
        { "/api/conflicts", "get", "500:InternalServerError" },
        { "/api/machines/{id}/isolate", "post", "400:InvalidRequestBody,MissingRequiredParameter;401:Unauthorized;403:Forbidden;404:ResourceNotFound;500:InternalServerError" },
        { "/api/machines/{id}/runliveresponse", "post", "400:InvalidInput,InvalidRequestBody,InvalidHashValue,MissingRequiredParameter,ActiveRequestAlreadyExists;401:Unauthorized;403:Forbidden,DisabledFeature;404:ResourceNotFound;500:InternalServerError" },
        { "/api/tags/{name}", "delete", "500:InternalServerError" },
        { "/api/files/{sha1}", "get", "400:InvalidHashValue;404:ResourceNotFound;500:InternalServerError" },
        { "/api/queries", "get", "400:ODataError;500:InternalServerError" },
        { "/api/devices", "get", "400:ODataError;500:InternalServerError" },
        { "/api/secured/public", "get", "500:InternalServerError" },
        { "/api/indicators/{id}", "get", "404:NotFound,ResourceNotFound;429:TooManyRequests;500:InternalServerError" },
        { "/api/indicators/import", "post", "400:InvalidRequestBody,MaximumBatchSizeExceeded,MissingRequiredParameter;401:Unauthorized;403:Forbidden;429:TooManyRequests;500:InternalServerError" },
        { "/api/indicators/{id}", "delete", "401:Unauthorized;403:Forbidden;404:NotFound;429:TooManyRequests;500:InternalServerError" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Operation_ListsExactlyTheInferredCodes_InBothDocuments(string path, string method, string expected)
    {
        Assert.Equal(expected, Flatten(Documents.ErrorCodes(_openApi, path, method)));
        Assert.Equal(expected, Flatten(Documents.ErrorCodes(_swagger, path, method)));
    }

    [Fact]
    public void Operation_KeepsDeclaredResponseWithItsOwnBody_WhenNotInferred()
    {
        foreach (var document in new[] { _openApi, _swagger })
        {
            var conflict = document["paths"]!["/api/conflicts"]!["get"]!["responses"]!["409"]!;
            var schema = conflict["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
            Assert.EndsWith("/ConflictInfo", schema, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Operation_DescribesEveryCodeOfEachResponse()
    {
        var response = _openApi["paths"]!["/api/machines/{id}/runliveresponse"]!["post"]!["responses"]!["403"]!;
        Assert.Equal("Forbidden. `error.code` is one of:\n- `Forbidden`: `Forbidden`\n- `DisabledFeature`: `Tenant feature is not enabled.`",
            response["description"]!.GetValue<string>());
        var badRequest = _openApi["paths"]!["/api/files/{sha1}"]!["get"]!["responses"]!["400"]!;
        Assert.Equal("Bad Request. `error.code` is one of:\n- `InvalidHashValue`: `Hash value <the invalid hash> is invalid.`",
            badRequest["description"]!.GetValue<string>());
        var serverError = _openApi["paths"]!["/api/health"]!["get"]!["responses"]!["500"]!;
        Assert.Equal("Internal Server Error. `error.code` is one of:\n- `InternalServerError`: (no message)",
            serverError["description"]!.GetValue<string>());
    }

    [Fact]
    public void Operation_CarriesOneExamplePerCode_WithTheDocumentedMessageAndASampleGuid()
    {
        var content = _openApi["paths"]!["/api/machines/{id}/runliveresponse"]!["post"]!["responses"]!["400"]!["content"]!["application/json"]!;
        Assert.Equal("#/components/schemas/DefenderError", content["schema"]!["$ref"]!.GetValue<string>());
        var examples = content["examples"]!.AsObject();
        var expected = new Dictionary<string, string>
        {
            ["InvalidInput"] = "Invalid input abc.",
            ["InvalidRequestBody"] = "Invalid request body.",
            ["InvalidHashValue"] = "Hash value abc123 is invalid.",
            ["MissingRequiredParameter"] = "Parameter Comment is missing.",
            ["ActiveRequestAlreadyExists"] = "An active request already exists.",
        };
        Assert.Equal(expected.Keys, examples.Select(e => e.Key));
        foreach (var (code, message) in expected)
        {
            var example = examples[code]!.AsObject();
            Assert.Equal(code, example["summary"]!.GetValue<string>());
            var value = JsonNode.Parse($$$"""{"error":{"code":"{{{code}}}","message":"{{{message}}}","target":"43f4cb08-8fac-4b65-9db1-745c2ae65f3a"}}""");
            Assert.True(JsonNode.DeepEquals(value, example["value"]), example["value"]!.ToJsonString());
        }
    }

    [Fact]
    public void Operation_ListsQueryParametersDeclaredByMetadata_InBothDocuments()
    {
        foreach (var document in new[] { _openApi, _swagger })
        {
            var parameters = document["paths"]!["/api/devices"]!["get"]!["parameters"]!.AsArray();
            var expected = JsonNode.Parse("""
                [
                  { "name": "$filter", "in": "query", "description": "Filters the results.", "schema": { "type": "string" } },
                  { "name": "$top", "in": "query", "description": "Returns at most this many results.", "schema": { "maximum": 10000, "minimum": 0, "type": "integer", "format": "int32" } },
                  { "name": "$count", "in": "query", "description": "Adds the total count.", "schema": { "type": "boolean" } }
                ]
                """);
            Assert.True(JsonNode.DeepEquals(expected, parameters), parameters.ToJsonString());
        }
    }

    [Fact]
    public void Operation_DocumentsTheErrorCodeHeader()
    {
        var header = _openApi["paths"]!["/api/health"]!["get"]!["responses"]!["500"]!["headers"]!["x-ms-error-code"]!;
        Assert.Equal("string", header["schema"]!["type"]!.GetValue<string>());
    }

    private static string Flatten(SortedDictionary<string, string[]> codes) =>
        string.Join(';', codes.Select(kv => kv.Key + ":" + string.Join(',', kv.Value)));
}
