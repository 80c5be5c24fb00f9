using System.Text.Json.Serialization;

namespace Defender.ErrorMiddleware.Client;

/// <summary>The envelope as read: every member optional and loosely typed, so a malformed one is recognized, not thrown on.</summary>
internal sealed class EnvelopeDto
{
    [JsonPropertyName("error")]
    public ErrorDto? Error { get; set; }
}

internal sealed class ErrorDto
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("target")]
    public string? Target { get; set; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(EnvelopeDto))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
