using System.Net;
using System.Text;
using System.Text.Json;
using Defender.ErrorMiddleware.Catalog;

namespace Defender.ErrorMiddleware.Tests.Validation;

/// <summary>
/// Seeded, bounded fuzzing: valid bodies mutated thousands of times. Every answer is a success or a well-formed 4xx
/// envelope with a documented code, and no message leaks .NET internals.
/// </summary>
public sealed class ValidationFuzzTests
{
    private const int Seed = 20240603;
    private const int Iterations = 2000;

    private static readonly (string Action, string Body)[] ValidBodies =
    [
        ("isolate", "{\"Comment\":\"Isolate machine\",\"IsolationType\":\"Full\"}"),
        ("ctor", "{\"Comment\":\"x\",\"Count\":3,\"Note\":\"n\"}"),
        ("nested", "{\"Items\":[{\"Comment\":\"a\"},{\"Comment\":\"b\",\"IsolationType\":null}],\"Extra\":{\"k\":[1,true,\"s\"]}}"),
        ("indicator", "{\"Sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"Domain\":\"contoso.com\",\"Ip\":\"10.0.0.1\",\"Url\":\"https://contoso.com/x\",\"Machines\":[\"m1\",\"m2\"],\"Count\":2}"),
        ("cross", "{\"IndicatorType\":\"Url\",\"IndicatorValue\":\"https://contoso.com\"}"),
        ("json-required", "{\"Name\":\"n\"}"),
        ("annotated", "{\"Comment\":\"c\"}"),
    ];

    private static readonly string[] Leaks =
    [
        "System.", "Microsoft.", "Exception", "   at ", "Defender.ErrorMiddleware", "IsolateRequest", "CtorRequest", "NestedRequest",
        "IndicatorRequest", "CrossFieldRequest", "JsonRequiredRequest", "AnnotatedRequest", "LineNumber", "BytePositionInLine", "Int32", "String",
    ];

    [Fact]
    public async Task Post_AnswersSuccessOrDocumentedClientError_ForMutatedBodies()
    {
        await using var app = await ValidationTestApp.StartAsync();
        using var client = app.Client();
        var random = new Random(Seed);
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var descriptor in DefenderErrorCatalog.All)
        {
            documented.Add(descriptor.Name);
        }

        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Iterations; i++)
        {
            var (action, valid) = ValidBodies[random.Next(ValidBodies.Length)];
            var surface = ValidationTestApp.Surfaces[random.Next(ValidationTestApp.Surfaces.Length)];
            var body = Mutate(random, Encoding.UTF8.GetBytes(valid));
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/{surface}/{action}") { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            var context = $"#{i} {surface}/{action} {Convert.ToBase64String(body)} -> {status} {text}";

            Assert.True(status < 500, context);
            if (status is >= 200 and < 300)
            {
                outcomes["2xx"] = outcomes.GetValueOrDefault("2xx") + 1;
                continue;
            }

            Assert.True(status is >= 400 and < 500, context);
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            Assert.Single(root.EnumerateObject());
            var error = root.GetProperty("error");
            Assert.Equal(["code", "message", "target"], error.EnumerateObject().Select(p => p.Name).ToArray());
            var code = error.GetProperty("code").GetString()!;
            Assert.True(documented.Contains(code), context);
            Assert.True(Guid.TryParseExact(error.GetProperty("target").GetString(), "D", out _), context);
            var message = error.GetProperty("message").GetString()!;
            foreach (var leak in Leaks)
            {
                Assert.False(message.Contains(leak, StringComparison.Ordinal), context);
            }

            Assert.True(message.Length <= 400, context);
            outcomes[code] = outcomes.GetValueOrDefault(code) + 1;
        }

        // The mutations must reach the interesting answers, or the test proves little.
        Assert.True(outcomes.GetValueOrDefault("2xx") > 50, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("InvalidRequestBody") > 150, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("MissingRequiredParameter") > 60, string.Join(", ", outcomes));
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var text = Encoding.UTF8.GetString(valid);
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds; r++)
        {
            text = random.Next(9) switch
            {
                0 => FlipCase(random, text),
                1 => DeleteMember(random, text),
                2 => DuplicateMember(random, text),
                3 => SwapType(random, text),
                4 => text[..random.Next(text.Length + 1)],
                5 => Nest(random, text),
                6 => HugeString(random, text),
                7 => text.Insert(random.Next(text.Length + 1), RandomText(random, 1 + random.Next(6))),
                _ => text,
            };
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        if (random.Next(10) == 0 && bytes.Length > 0)
        {
            // Raw bytes, including invalid UTF-8.
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
        }

        return bytes;
    }

    private static string FlipCase(Random random, string text)
    {
        var quote = FindKeyStart(random, text);
        if (quote < 0)
        {
            return text;
        }

        var chars = text.ToCharArray();
        var c = chars[quote + 1];
        chars[quote + 1] = char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c);
        return new string(chars);
    }

    private static string DeleteMember(Random random, string text)
    {
        var start = FindKeyStart(random, text);
        if (start < 0)
        {
            return text;
        }

        var end = text.IndexOfAny([',', '}'], start);
        return end < 0 ? text[..start] : text.Remove(start, end - start + (text[end] == ',' ? 1 : 0));
    }

    private static string DuplicateMember(Random random, string text)
    {
        var start = FindKeyStart(random, text);
        if (start < 0)
        {
            return text;
        }

        var end = text.IndexOfAny([',', '}'], start);
        return end < 0 ? text : text.Insert(start, text[start..end] + ",");
    }

    private static string SwapType(Random random, string text)
    {
        var colon = NthIndex(text, ':', random);
        if (colon < 0)
        {
            return text;
        }

        var end = text.IndexOfAny([',', '}'], colon);
        if (end < 0)
        {
            return text;
        }

        string[] replacements = ["1", "-1.5e300", "true", "null", "[]", "{}", "\"s\"", "[{\"Comment\":1}]", "99999999999999999999999"];
        return text[..(colon + 1)] + replacements[random.Next(replacements.Length)] + text[end..];
    }

    private static string Nest(Random random, string text)
    {
        var depth = random.Next(10, 200);
        var colon = NthIndex(text, ':', random);
        if (colon < 0)
        {
            return new string('[', depth) + text + new string(']', depth);
        }

        return text.Insert(colon + 1, new string('[', depth) + "1" + new string(']', random.Next(2) == 0 ? depth : depth / 2) + ",\"x\":");
    }

    private static string HugeString(Random random, string text)
    {
        var colon = NthIndex(text, ':', random);
        if (colon < 0)
        {
            return text;
        }

        var end = text.IndexOfAny([',', '}'], colon);
        return end < 0 ? text : text[..(colon + 1)] + "\"" + new string('a', random.Next(1000, 20000)) + "\\u0000\\n\"" + text[end..];
    }

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "{}[]\",:\\ 0123456789abcXYZ\u00e9\u2028";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    private static int FindKeyStart(Random random, string text)
    {
        var colon = NthIndex(text, ':', random);
        if (colon < 1 || text[colon - 1] != '"')
        {
            return -1;
        }

        var quote = text.LastIndexOf('"', colon - 2);
        return quote >= 0 && quote + 1 < colon - 1 ? quote : -1;
    }

    private static int NthIndex(string text, char c, Random random)
    {
        var count = text.Count(ch => ch == c);
        if (count == 0)
        {
            return -1;
        }

        var n = random.Next(count);
        var index = -1;
        for (var i = 0; i <= n; i++)
        {
            index = text.IndexOf(c, index + 1);
        }

        return index;
    }
}
