using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Defender.ErrorMiddleware.Validation;

namespace Defender.ErrorMiddleware.Tests.Validation;

/// <summary>The preflight's hand-written JSON syntax check: a table of cases, then a seeded differential fuzz against JsonDocument.</summary>
public sealed class JsonSyntaxValidatorTests
{
    private const int Seed = 8259;
    private const int Iterations = 6000;

    public static TheoryData<string, int> ValidCases() => new()
    {
        { "{}", 64 },
        { "[]", 64 },
        { " \t\r\n{ } \n", 64 },
        { "0", 64 },
        { "-0", 64 },
        { "-0.0e+0", 64 },
        { "12.5E-3", 64 },
        { "1e5", 64 },
        { "123456789012345678901234567890", 64 },
        { "true", 64 },
        { "false", 64 },
        { "null", 64 },
        { "\"\"", 64 },
        { "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"", 64 },
        { "\"\\uD800\"", 64 },
        { "\"bücher \u2028 😀\"", 64 },
        { "{\"Comment\":\"isolate it\",\"IsolationType\":\"Full\"}", 64 },
        { "{\"a\":[1,2,{\"b\":[true,false,null]}],\"c\":{}}", 64 },
        { "[[[]]]", 3 },
        { "{\"a\":{\"b\":{}}}", 3 },
        { "\uFEFF{\"a\":1}", 64 },
        { "\"\u007f\"", 64 },
    };

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void TryValidate_AcceptsValidJson(string json, int maxDepth)
    {
        Assert.True(JsonSyntaxValidator.TryValidate(Encoding.UTF8.GetBytes(json), maxDepth, out var error), error.ToString());
        Assert.Equal(default, error);
    }

    /// <summary>Text, depth limit, kind, path, line, column.</summary>
    public static TheoryData<string, int, string, string, int, int> InvalidCases() => new()
    {
        { "", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 1, 1 },
        { "  ", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 1, 3 },
        { " \n ", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 2, 2 },
        { "{\"Comment\":", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$.Comment", 1, 12 },
        { "{\"Comment\":\"isolate it\",\"IsolationType\":", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$.IsolationType", 1, 41 },
        { "{\"Comment\":\"x\" ", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 1, 16 },
        { "{\"Comment\":\"x\"} trailing", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 17 },
        { "{\"Items\":[1,2,x]}", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$.Items[2]", 1, 15 },
        { "{\"Items\":[{\"a\":1},{\"b\":tru}]}", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$.Items[1].b", 1, 27 },
        { "{\"a\":1,}", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 8 },
        { "[1,]", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$[1]", 1, 4 },
        { "[1 2]", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 4 },
        { "{\"a\" 1}", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 6 },
        { "{a:1}", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 2 },
        { "{'a':1}", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 2 },
        { "{\"a\":1 // c\n}", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 8 },
        { "{\"a.b\":[", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$['a.b'][0]", 1, 9 },
        { "{\"it's\":", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$['it\\'s']", 1, 9 },
        { "{\"\\u0041b\":", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$.Ab", 1, 12 },
        { "\"a\nb\"", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 3 },
        { "\"a\\x\"", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 4 },
        { "\"\\u12G4\"", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 6 },
        { "\"abc", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 1, 5 },
        { "01", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 2 },
        { "1.", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 1, 3 },
        { "1.e5", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 3 },
        { ".5", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 1 },
        { "-", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 1, 2 },
        { "+1", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 1 },
        { "1e", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 1, 3 },
        { "NaN", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 1 },
        { "True", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 1 },
        { "nul", 64, nameof(JsonSyntaxErrorKind.UnexpectedEnd), "$", 1, 4 },
        { "[1,\r\nx]", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$[1]", 2, 1 },
        { "[[[]]]", 2, nameof(JsonSyntaxErrorKind.TooDeep), "$[0][0]", 1, 3 },
        { "{\"a\":{\"b\":{}}}", 2, nameof(JsonSyntaxErrorKind.TooDeep), "$.a.b", 1, 11 },
        { "\uFEFF\uFEFF{}", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 1 },
        { "1\u0000", 64, nameof(JsonSyntaxErrorKind.UnexpectedCharacter), "$", 1, 2 },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void TryValidate_ReportsKindPathAndPosition_ForInvalidJson(string json, int maxDepth, string kind, string path, int line, int column)
    {
        Assert.False(JsonSyntaxValidator.TryValidate(Encoding.UTF8.GetBytes(json), maxDepth, out var error));
        Assert.Equal(new JsonSyntaxError(Enum.Parse<JsonSyntaxErrorKind>(kind), error.Offset, line, column, path), error);
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0xFF, 0x22 }, "$", 1, 2)]
    [InlineData(new byte[] { 0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC0, 0x80, 0x22, 0x7D }, "$.a", 1, 7)]
    [InlineData(new byte[] { 0x5B, 0x31, 0x2C, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D }, "$[1]", 1, 5)]
    [InlineData(new byte[] { 0x7B, 0x22, 0xE2, 0x82 }, "$", 1, 3)]
    [InlineData(new byte[] { 0x31, 0x20, 0xFF }, "$", 1, 3)]
    public void TryValidate_ReportsInvalidUtf8_WhereTheReaderWouldNot(byte[] json, string path, int line, int column)
    {
        Assert.False(JsonSyntaxValidator.TryValidate(json, 64, out var error));
        Assert.Equal(new JsonSyntaxError(JsonSyntaxErrorKind.InvalidUtf8, error.Offset, line, column, path), error);
    }

    [Fact]
    public void TryValidate_ReportsSyntaxErrorBeforeLaterInvalidUtf8()
    {
        Assert.False(JsonSyntaxValidator.TryValidate([0x5B, 0x78, 0x22, 0xFF, 0x22, 0x5D], 64, out var error));
        Assert.Equal(JsonSyntaxErrorKind.UnexpectedCharacter, error.Kind);
        Assert.Equal(2, error.Column);
    }

    [Fact]
    public void TryValidate_HandlesDepthLimitsBeyondTheStackBuffer()
    {
        var deep = Encoding.UTF8.GetBytes(new string('[', 1000) + new string(']', 1000));
        Assert.True(JsonSyntaxValidator.TryValidate(deep, 1000, out _));
        Assert.False(JsonSyntaxValidator.TryValidate(deep, 999, out var error));
        Assert.Equal((JsonSyntaxErrorKind.TooDeep, 1000), (error.Kind, error.Column));
    }

    [Fact]
    public void TryValidate_AllocatesNothing_ForValidJson()
    {
        var json = Encoding.UTF8.GetBytes("{\"Comment\":\"isolate it\",\"Items\":[1,-2.5e3,true,null,{\"a\":\"\\u00e9\"}],\"IsolationType\":\"Full\"}");
        JsonSyntaxValidator.TryValidate(json, 64, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            JsonSyntaxValidator.TryValidate(json, 64, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Random and mutated inputs: valid exactly when JsonDocument (same depth, no comments, no trailing commas) accepts the
    /// text after an optional BOM and the text is UTF-8 (JsonDocument leaves UTF-8 inside strings unchecked).
    /// </summary>
    [Fact]
    public void TryValidate_AgreesWithJsonDocument_ForSeededRandomInputs()
    {
        var random = new Random(Seed);
        var counts = new int[2];
        for (var i = 0; i < Iterations; i++)
        {
            var depth = random.Next(4) switch { 0 => 1, 1 => 2, 2 => 4, _ => 64 };
            var input = Generate(random);
            var expected = Oracle(input, depth, out var reason);
            var actual = JsonSyntaxValidator.TryValidate(input, depth, out var error);
            Assert.True(expected == actual,
                $"#{i} depth {depth} {Convert.ToBase64String(input)} '{Encoding.UTF8.GetString(input)}': JsonDocument {expected} ({reason}), validator {actual} ({error})");
            counts[actual ? 1 : 0]++;
        }

        // The generator must exercise both sides, or the comparison proves little.
        Assert.True(counts[0] > Iterations / 5 && counts[1] > Iterations / 5, $"invalid {counts[0]}, valid {counts[1]}");
    }

    private static bool Oracle(byte[] input, int depth, out string reason)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        var memory = input.AsMemory();
        if (memory.Span.StartsWith(bom))
        {
            memory = memory[3..];
        }

        if (!Utf8.IsValid(memory.Span))
        {
            reason = "not UTF-8";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(memory, new JsonDocumentOptions { MaxDepth = depth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            reason = "parsed";
            return true;
        }
        catch (JsonException exception)
        {
            reason = exception.Message;
            return false;
        }
    }

    private static readonly string[] Atoms =
    [
        "0", "-0", "1", "-12", "3.25", "1e9", "-2.5E-3", "0.0", "true", "false", "null", "\"\"", "\"text\"", "\"é😀\"",
        "\"\\n\\t\\\"\\\\\\/\\u0041\\uD83D\\uDE00\"", "\"\\uDC00\"",
    ];

    private static readonly byte[] Noise = "{}[],:\"\\ \t\r\n-+.eE0123456789tfnaulrsx/*u\u0000\u001f'"u8.ToArray();

    private static byte[] Generate(Random random)
    {
        var builder = new StringBuilder();
        switch (random.Next(10))
        {
            case 0:
                // Pure noise from JSON's own alphabet.
                var length = random.Next(12);
                var noise = new byte[length];
                for (var k = 0; k < length; k++)
                {
                    noise[k] = Noise[random.Next(Noise.Length)];
                }

                return noise;
            default:
                WriteValue(random, builder, random.Next(1, 7));
                break;
        }

        if (random.Next(8) == 0)
        {
            builder.Insert(0, '\uFEFF');
        }

        var bytes = Encoding.UTF8.GetBytes(builder.ToString()).ToList();
        var mutations = random.Next(4) == 0 ? 0 : random.Next(1, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0:
                    bytes.RemoveAt(at);
                    break;
                case 1:
                    bytes.Insert(at, Noise[random.Next(Noise.Length)]);
                    break;
                case 2:
                    bytes[at] = Noise[random.Next(Noise.Length)];
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes.Insert(at, (byte)random.Next(0x80, 0x100));
                    break;
                case 5:
                    var count = Math.Min(random.Next(1, 6), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, count));
                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(0x20));
                    break;
            }
        }

        return [.. bytes];
    }

    private static void WriteValue(Random random, StringBuilder builder, int depth)
    {
        Whitespace(random, builder);
        var kind = depth <= 0 ? 0 : random.Next(4);
        if (kind == 1)
        {
            builder.Append('{');
            var members = random.Next(4);
            for (var k = 0; k < members; k++)
            {
                if (k > 0)
                {
                    builder.Append(',');
                }

                Whitespace(random, builder);
                builder.Append(random.Next(3) switch { 0 => "\"Comment\"", 1 => "\"a.b\"", _ => "\"\\u0049tems\"" });
                Whitespace(random, builder);
                builder.Append(':');
                WriteValue(random, builder, depth - 1);
            }

            Whitespace(random, builder);
            builder.Append('}');
        }
        else if (kind == 2)
        {
            builder.Append('[');
            var items = random.Next(4);
            for (var k = 0; k < items; k++)
            {
                if (k > 0)
                {
                    builder.Append(',');
                }

                WriteValue(random, builder, depth - 1);
            }

            Whitespace(random, builder);
            builder.Append(']');
        }
        else
        {
            builder.Append(Atoms[random.Next(Atoms.Length)]);
        }

        Whitespace(random, builder);
    }

    private static void Whitespace(Random random, StringBuilder builder)
    {
        if (random.Next(3) == 0)
        {
            builder.Append(" \t\r\n"[random.Next(4)]);
        }
    }
}
