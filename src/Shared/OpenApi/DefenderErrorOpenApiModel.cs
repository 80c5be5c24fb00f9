using System.Text.Json.Nodes;
using Defender.ErrorMiddleware.Metadata;
using Microsoft.OpenApi;

namespace Defender.ErrorMiddleware.OpenApi.Shared;

/// <summary>
/// Translates the inferred error responses into the Microsoft.OpenApi 2.x object model.
/// Shared source (src/Shared/OpenApi), compiled into both the OpenApi and the Swashbuckle packages (they share that object model), so the two documents cannot drift.
/// </summary>
internal static class DefenderErrorOpenApiModel
{
    internal const string CodeSchemaName = "DefenderErrorCode";
    internal const string JsonMediaType = "application/json";
    internal const string ErrorCodeHeader = DefenderErrorHeaders.ErrorCode;

    /// <summary>Adds the envelope and code schemas to the document's components once.</summary>
    internal static void EnsureSchemas(OpenApiDocument document, DefenderErrorResponseInference inference)
    {
        document.Components ??= new OpenApiComponents();
        var schemas = document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        if (!schemas.ContainsKey(CodeSchemaName))
        {
            schemas[CodeSchemaName] = CreateCodeSchema(inference);
        }

        if (!schemas.ContainsKey(DefenderErrorResponseInference.SchemaName))
        {
            schemas[DefenderErrorResponseInference.SchemaName] = CreateEnvelopeSchema(document);
        }
    }

    /// <summary>Replaces the operation's responses at every inferred error status with the envelope response.</summary>
    internal static void Apply(OpenApiOperation operation, OpenApiDocument document, IReadOnlyList<DefenderErrorResponse> responses)
    {
        operation.Responses ??= [];
        foreach (var response in responses)
        {
            operation.Responses[response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)] = CreateResponse(response, document);
        }
    }

    /// <summary>Adds the query parameters the endpoint declares through metadata, unless the operation already describes them.</summary>
    internal static void AddQueryParameters(OpenApiOperation operation, IReadOnlyList<DefenderQueryParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            return;
        }

        operation.Parameters ??= [];
        foreach (var parameter in parameters)
        {
            if (operation.Parameters.Any(p => p.In == ParameterLocation.Query && string.Equals(p.Name, parameter.Name, StringComparison.Ordinal)))
            {
                continue;
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Query,
                Required = false,
                Description = parameter.Description,
                Schema = new OpenApiSchema
                {
                    Type = parameter.Type switch
                    {
                        DefenderQueryParameterType.Integer => JsonSchemaType.Integer,
                        DefenderQueryParameterType.Boolean => JsonSchemaType.Boolean,
                        _ => JsonSchemaType.String,
                    },
                    Format = parameter.Type == DefenderQueryParameterType.Integer ? "int32" : null,
                    Minimum = parameter.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Maximum = parameter.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            });
        }
    }

    private static OpenApiSchema CreateCodeSchema(DefenderErrorResponseInference inference) =>
        new()
        {
            Type = JsonSchemaType.String,
            Description = "The error code: one of the Microsoft 365 Defender documented codes, or a code this API registered.",
            Enum = [.. inference.AllCodes.Select(c => (JsonNode)JsonValue.Create(c.Name))],
        };

    private static OpenApiSchema CreateEnvelopeSchema(OpenApiDocument document) =>
        new()
        {
            Type = JsonSchemaType.Object,
            Description = "The Microsoft 365 Defender error envelope, the body of every error response.",
            Required = new HashSet<string>(StringComparer.Ordinal) { "error" },
            AdditionalPropertiesAllowed = false,
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["error"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string>(StringComparer.Ordinal) { "code", "message", "target" },
                    AdditionalPropertiesAllowed = false,
                    Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                    {
                        ["code"] = new OpenApiSchemaReference(CodeSchemaName, document),
                        ["message"] = new OpenApiSchema
                        {
                            Type = JsonSchemaType.String,
                            Description = "A human-readable message; free text that may change.",
                        },
                        ["target"] = new OpenApiSchema
                        {
                            Type = JsonSchemaType.String,
                            Format = "uuid",
                            Description = "A unique tracking ID for this error: quote it when contacting support.",
                        },
                    },
                },
            },
        };

    private static OpenApiResponse CreateResponse(DefenderErrorResponse response, OpenApiDocument document)
    {
        var examples = new Dictionary<string, IOpenApiExample>(StringComparer.Ordinal);
        foreach (var code in response.Codes)
        {
            examples[code.Name] = new OpenApiExample
            {
                Summary = code.Name,
                Value = DefenderErrorResponseInference.CreateExample(code),
            };
        }

        return new OpenApiResponse
        {
            Description = response.Description,
            Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
            {
                [ErrorCodeHeader] = new OpenApiHeader
                {
                    Description = "The error code, as in the body's `error.code`.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            },
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                [JsonMediaType] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchemaReference(DefenderErrorResponseInference.SchemaName, document),
                    Examples = examples,
                },
            },
        };
    }
}
