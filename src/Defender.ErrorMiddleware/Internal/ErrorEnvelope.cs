using System.Text.Json.Serialization;

namespace Defender.ErrorMiddleware.Internal;

/// <summary>The wire shape: <c>{"error":{"code":"…","message":"…","target":"…"}}</c> and nothing else.</summary>
internal sealed class ErrorEnvelope
{
    [JsonPropertyName("error")]
    public required ErrorBody Error { get; init; }
}

internal sealed class ErrorBody
{
    [JsonPropertyName("code")]
    public required string Code { get; init; }

    [JsonPropertyName("message")]
    public required string Message { get; init; }

    /// <summary>Written by System.Text.Json in the "D" format: lower-case with hyphens, as in the spec's examples.</summary>
    [JsonPropertyName("target")]
    public required Guid Target { get; init; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(ErrorEnvelope))]
internal sealed partial class DefenderJsonContext : JsonSerializerContext;
