using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Defender.ErrorMiddleware;

/// <summary>
/// The body of every error response: <c>{"error":{"code":"…","message":"…","target":"…"}}</c> and nothing else.
/// Serialize and deserialize it with <see cref="JsonTypeInfo"/> (source-generated: trim- and AOT-safe).
/// </summary>
public sealed class DefenderErrorEnvelope
{
    /// <summary>
    /// The source-generated System.Text.Json contract of the envelope, e.g.
    /// <c>response.Content.ReadFromJsonAsync(DefenderErrorEnvelope.JsonTypeInfo)</c> or <c>JsonSerializer.Serialize(envelope, DefenderErrorEnvelope.JsonTypeInfo)</c>.
    /// </summary>
    public static JsonTypeInfo<DefenderErrorEnvelope> JsonTypeInfo => DefenderErrorJsonContext.Default.DefenderErrorEnvelope;

    /// <summary>The error.</summary>
    [JsonPropertyName("error")]
    public required DefenderErrorBody Error { get; init; }
}

/// <summary>The <c>error</c> object of the envelope.</summary>
public sealed class DefenderErrorBody
{
    /// <summary>The code, e.g. <c>ResourceNotFound</c>: a documented one (<see cref="DefenderErrorCode"/>) or one the API registered.</summary>
    [JsonPropertyName("code")]
    public required string Code { get; init; }

    /// <summary>A human-readable message; free text that may change. Empty for <c>InternalServerError</c> in the current wording.</summary>
    [JsonPropertyName("message")]
    public required string Message { get; init; }

    /// <summary>
    /// A fresh tracking ID per error, also written to the server log: quote it when contacting support.
    /// Written in the "D" format (lower-case with hyphens), as in the spec's examples.
    /// </summary>
    [JsonPropertyName("target")]
    public required Guid Target { get; init; }
}

// Internal: the generated members differ between the .NET 8 and .NET 10 generators (nullability), so the public surface is the
// one JsonTypeInfo above; metadata and fast-path serialization are both generated (the server writes, clients read).
[JsonSerializable(typeof(DefenderErrorEnvelope))]
internal sealed partial class DefenderErrorJsonContext : JsonSerializerContext;
