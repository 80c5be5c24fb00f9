using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Defender.ErrorMiddleware.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Defender.ErrorMiddleware.OpenApi.Tests;

public sealed class DocumentTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private string _openApiText = null!;
    private string _swaggerText = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApi.StartAsync();
        _openApiText = await Documents.GetTextAsync(_app, TestApi.OpenApiPath);
        _swaggerText = await Documents.GetTextAsync(_app, TestApi.SwaggerPath);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string> Generators() => new() { "openapi", "swagger" };

    private string Text(string generator) => generator == "openapi" ? _openApiText : _swaggerText;

    [Theory]
    [MemberData(nameof(Generators))]
    public void Components_HoldTheEnvelopeSchemaExactly(string generator)
    {
        var schemas = JsonNode.Parse(Text(generator))!["components"]!["schemas"]!;
        var expected = JsonNode.Parse("""
            {
              "required": ["error"],
              "type": "object",
              "properties": {
                "error": {
                  "required": ["code", "message", "target"],
                  "type": "object",
                  "properties": {
                    "code": { "$ref": "#/components/schemas/DefenderErrorCode" },
                    "message": { "type": "string", "description": "A human-readable message; free text that may change." },
                    "target": { "type": "string", "description": "A unique tracking ID for this error: quote it when contacting support.", "format": "uuid" }
                  },
                  "additionalProperties": false
                }
              },
              "additionalProperties": false,
              "description": "The Microsoft 365 Defender error envelope, the body of every error response."
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, schemas["DefenderError"]), schemas["DefenderError"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Generators))]
    public void Components_CodeEnumListsCatalogThenRegisteredCodes(string generator)
    {
        var codeSchema = JsonNode.Parse(Text(generator))!["components"]!["schemas"]!["DefenderErrorCode"]!;
        Assert.Equal("string", codeSchema["type"]!.GetValue<string>());
        var expected = new List<string>();
        foreach (var descriptor in DefenderErrorCatalog.All)
        {
            expected.Add(descriptor.Name);
        }

        expected.AddRange(["ActiveRequestAlreadyExists", "TooManyRequests"]);
        Assert.Equal(expected, codeSchema["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(Generators))]
    public void Document_IsValidOpenApi3(string generator)
    {
        var result = OpenApiDocument.Parse(Text(generator), "json", new OpenApiReaderSettings());
        Assert.Empty(result.Diagnostic!.Errors);
        Assert.NotNull(result.Document);
        Assert.Equal(generator == "openapi" ? OpenApiSpecVersion.OpenApi3_1 : OpenApiSpecVersion.OpenApi3_0, result.Diagnostic.SpecificationVersion);
        var errors = result.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())!.ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.Pointer + ": " + e.Message)));

        // Every error response has a body, and every reference to the envelope resolves to the component.
        var envelope = result.Document.Components!.Schemas!["DefenderError"];
        var references = 0;
        foreach (var (_, path) in result.Document.Paths)
        {
            foreach (var (_, operation) in path.Operations!)
            {
                foreach (var (status, response) in operation.Responses!)
                {
                    if (status[0] is not ('4' or '5'))
                    {
                        continue;
                    }

                    Assert.True(response.Content is { Count: > 0 }, $"{status} has no content");
                    if (response.Content!.TryGetValue("application/json", out var media) && media.Schema is OpenApiSchemaReference reference
                        && reference.Reference.Id == "DefenderError")
                    {
                        Assert.Equal(JsonSchemaType.Object, reference.Target!.Type);
                        Assert.Same(envelope, reference.Target);
                        references++;
                    }
                }
            }
        }

        Assert.True(references > 30, references.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Generators_DescribeTheSameOperationsWithTheSameErrorResponses()
    {
        var openApi = JsonNode.Parse(_openApiText)!.AsObject();
        var swagger = JsonNode.Parse(_swaggerText)!.AsObject();
        var left = ErrorResponses(openApi);
        var right = ErrorResponses(swagger);
        Assert.Equal(left.Keys, right.Keys);
        Assert.NotEmpty(left);
        foreach (var (key, responses) in left)
        {
            Assert.True(JsonNode.DeepEquals(responses, right[key]), $"{key}\nopenapi: {responses.ToJsonString()}\nswagger: {right[key].ToJsonString()}");
        }

        foreach (var name in new[] { "DefenderError", "DefenderErrorCode" })
        {
            Assert.True(JsonNode.DeepEquals(openApi["components"]!["schemas"]![name], swagger["components"]!["schemas"]![name]), name);
        }
    }

    [Theory]
    [MemberData(nameof(Generators))]
    public void Document_MatchesGoldenFile(string generator)
    {
        GoldenFile.AssertJsonMatches($"test/Defender.ErrorMiddleware.OpenApi.Tests/Golden/{generator}.json", Text(generator));
    }

    /// <summary>"path method" -> the operation's 4xx/5xx responses.</summary>
    private static SortedDictionary<string, JsonObject> ErrorResponses(JsonObject document)
    {
        var result = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (path, method, operation) in Documents.Operations(document))
        {
            var errors = new JsonObject();
            foreach (var (status, response) in operation["responses"]!.AsObject())
            {
                if (status[0] is '4' or '5')
                {
                    errors[status] = response!.DeepClone();
                }
            }

            result[path + " " + method] = errors;
        }

        return result;
    }
}
