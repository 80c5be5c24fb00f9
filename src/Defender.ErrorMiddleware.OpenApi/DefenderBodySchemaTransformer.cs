using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Defender.ErrorMiddleware.OpenApi;

/// <summary>
/// Keeps a body's required members in its schema. The core judges a required member that does not admit null on the built
/// object (so a missing member and an explicit null get one answer, with the member's name), which clears System.Text.Json's
/// own required flag on it — the flag the schema exporter reads. The members the serializer itself marks required (C#
/// <c>required</c>, <c>[JsonRequired]</c>) are put back into the schema's <c>required</c> list, so the document says what the
/// binder enforces.
/// </summary>
internal sealed class DefenderBodySchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object || schema.Properties is not { Count: > 0 } properties)
        {
            return Task.CompletedTask;
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (!property.IsRequired && IsRequiredBySerializer(property) && properties.ContainsKey(property.Name))
            {
                (schema.Required ??= new HashSet<string>(StringComparer.Ordinal)).Add(property.Name);
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsRequiredBySerializer(JsonPropertyInfo property) =>
        property.AttributeProvider is { } member
        && (member.IsDefined(typeof(RequiredMemberAttribute), inherit: false) || member.IsDefined(typeof(JsonRequiredAttribute), inherit: true));
}
