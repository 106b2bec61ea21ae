#include "theme.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QEvent>
#include <QHash>
#include <QMenu>
#include <QPointer>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

#include <cmath>
#include <unordered_map>

namespace Theme {
namespace {

struct Startup
{
    bool known = false;
    QString styleName;
    QPalette palette;
};

Startup &startup()
{
    static Startup s;
    return s;
}

// Before the first change: what System goes back to.
void rememberStartup()
{
    Startup &s = startup();
    if (s.known)
        return;
    s.known = true;
    s.styleName = QApplication::style() ? QApplication::style()->name() : QString();
    s.palette = QApplication::palette();
}

Choice &currentChoice()
{
    static Choice c = Choice::System;
    return c;
}

double channel(double c)
{
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

QPalette makePalette(bool dark)
{
    // Every role of every group set here, so nothing of the platform's palette shows through.
    const QColor window = dark ? QColor(0x2b, 0x2b, 0x2b) : QColor(0xef, 0xef, 0xef);
    const QColor text = dark ? QColor(0xe8, 0xe8, 0xe8) : QColor(0x1a, 0x1a, 0x1a);
    const QColor base = dark ? QColor(0x1e, 0x1e, 0x1e) : QColor(0xff, 0xff, 0xff);
    const QColor button = dark ? QColor(0x35, 0x35, 0x35) : QColor(0xe6, 0xe6, 0xe6);
    const QColor light = dark ? QColor(0x50, 0x50, 0x50) : QColor(0xff, 0xff, 0xff);
    const QColor midlight = dark ? QColor(0x42, 0x42, 0x42) : QColor(0xf2, 0xf2, 0xf2);
    const QColor mid = dark ? QColor(0x5c, 0x5c, 0x5c) : QColor(0xb4, 0xb4, 0xb4);
    const QColor darkRole = dark ? QColor(0x1a, 0x1a, 0x1a) : QColor(0x9e, 0x9e, 0x9e);
    const QColor shadow = dark ? QColor(0x0a, 0x0a, 0x0a) : QColor(0x69, 0x69, 0x69);
    QPalette p(text, button, light, darkRole, mid, text, QColor(0xff, 0xff, 0xff), base, window);
    p.setColor(QPalette::Midlight, midlight);
    p.setColor(QPalette::Shadow, shadow);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::AlternateBase, dark ? QColor(0x27, 0x27, 0x27) : QColor(0xf4, 0xf4, 0xf4));
    p.setColor(QPalette::ToolTipBase, dark ? QColor(0x3c, 0x3c, 0x3c) : QColor(0xff, 0xff, 0xdc));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, dark ? QColor(0x9e, 0x9e, 0x9e) : QColor(0x66, 0x66, 0x66));
    // White text on it at 5:1 or more, including Fusion's lighter gradient stops.
    p.setColor(QPalette::Highlight, dark ? QColor(0x2a, 0x5f, 0xb0) : QColor(0x1f, 0x5f, 0xb4));
    p.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::Link, dark ? QColor(0x7c, 0xb8, 0xff) : QColor(0x0b, 0x57, 0xd0));
    p.setColor(QPalette::LinkVisited, dark ? QColor(0xc5, 0x9c, 0xff) : QColor(0x6a, 0x1b, 0x9a));
    p.setColor(QPalette::NoRole, QColor(Qt::transparent));

    // Disabled: dimmer, still legible (about 4.5:1 on the window and button).
    const QColor disabledText = dark ? QColor(0xa0, 0xa0, 0xa0) : QColor(0x66, 0x66, 0x66);
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::ToolTipText,
                                     QPalette::PlaceholderText})
        p.setColor(QPalette::Disabled, role, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    p.setColor(QPalette::Disabled, QPalette::Button, dark ? QColor(0x30, 0x30, 0x30) : QColor(0xec, 0xec, 0xec));
    p.setColor(QPalette::Disabled, QPalette::Highlight, dark ? QColor(0x45, 0x45, 0x45) : QColor(0xb8, 0xb8, 0xb8));
    p.setColor(QPalette::Disabled, QPalette::HighlightedText, dark ? QColor(0xc0, 0xc0, 0xc0) : QColor(0x1a, 0x1a, 0x1a));
    p.setColor(QPalette::Disabled, QPalette::Link, disabledText);
    p.setColor(QPalette::Disabled, QPalette::LinkVisited, disabledText);
    return p;
}

// Applies colorFor to its widget now and on each palette change.
class TextColorKeeper : public QObject
{
public:
    TextColorKeeper(QWidget *widget, std::function<QColor(const QPalette &)> colorFor)
        : QObject(widget)
        , m_widget(widget)
        , m_colorFor(std::move(colorFor))
    {
        widget->installEventFilter(this);
        update();
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_widget && event->type() == QEvent::PaletteChange)
            update();
        return false;
    }

private:
    void update()
    {
        QPalette p = m_widget->palette();
        const QColor color = m_colorFor(p);
        if (p.color(QPalette::Active, QPalette::WindowText) == color && p.color(QPalette::Active, QPalette::Text) == color)
            return; // set already: setting it again would send another PaletteChange
        p.setColor(QPalette::WindowText, color);
        p.setColor(QPalette::Text, color);
        m_widget->setPalette(p);
    }

    QWidget *m_widget;
    std::function<QColor(const QPalette &)> m_colorFor;
};

} // namespace

QString toString(Choice choice)
{
    switch (choice) {
    case Choice::System: return QStringLiteral("system");
    case Choice::Light: return QStringLiteral("light");
    case Choice::Dark: return QStringLiteral("dark");
    }
    return QStringLiteral("system");
}

std::optional<Choice> fromString(const QString &text)
{
    for (Choice c : {Choice::System, Choice::Light, Choice::Dark}) {
        if (text.trimmed().compare(toString(c), Qt::CaseInsensitive) == 0)
            return c;
    }
    return std::nullopt;
}

Choice savedChoice()
{
    return fromString(QSettings().value(QLatin1String(SettingsKey)).toString()).value_or(Choice::System);
}

void saveChoice(Choice choice)
{
    QSettings().setValue(QLatin1String(SettingsKey), toString(choice));
}

QPalette palette(Choice choice)
{
    if (choice == Choice::System) {
        rememberStartup();
        return startup().palette;
    }
    return makePalette(choice == Choice::Dark);
}

void apply(Choice choice)
{
    rememberStartup();
    if (choice == Choice::System && current() == Choice::System)
        return; // the platform's look, untouched: it may still follow the desktop's changes
    const Startup &s = startup();
    const QString styleName = choice == Choice::System ? s.styleName : QStringLiteral("Fusion");
    if (!styleName.isEmpty() && QApplication::style()->name().compare(styleName, Qt::CaseInsensitive) != 0) {
        if (QStyle *style = QStyleFactory::create(styleName))
            QApplication::setStyle(style); // the application owns it
    }
    // After the style, which would otherwise bring its own standard palette.
    QApplication::setPalette(palette(choice));
    currentChoice() = choice;
}

Choice current()
{
    return currentChoice();
}

QMenu *menu(QWidget *parent)
{
    auto *menu = new QMenu(QStringLiteral("&Theme"), parent);
    menu->setObjectName(QStringLiteral("themeMenu"));
    auto *group = new QActionGroup(menu);
    group->setExclusive(true);
    const struct
    {
        Choice choice;
        const char *text;
        const char *tip;
    } entries[] = {{Choice::System, "&System", "The desktop's own style and colours"},
                   {Choice::Light, "&Light", "Light colours"},
                   {Choice::Dark, "&Dark", "Dark colours"}};
    for (const auto &e : entries) {
        QAction *action = menu->addAction(QString::fromUtf8(e.text));
        action->setObjectName(QStringLiteral("theme-") + toString(e.choice));
        action->setStatusTip(QString::fromUtf8(e.tip));
        action->setCheckable(true);
        action->setChecked(current() == e.choice);
        action->setData(int(e.choice));
        group->addAction(action);
        const Choice choice = e.choice;
        QObject::connect(action, &QAction::triggered, menu, [choice] {
            apply(choice);
            saveChoice(choice);
        });
    }
    // A choice made elsewhere (another menu, a test) shows when the menu opens.
    QObject::connect(menu, &QMenu::aboutToShow, menu, [group] {
        for (QAction *action : group->actions())
            action->setChecked(Choice(action->data().toInt()) == current());
    });
    return menu;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

double relativeLuminance(const QColor &color)
{
    const QColor c = color.toRgb();
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

double contrastRatio(const QColor &a, const QColor &b)
{
    const double la = relativeLuminance(a), lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor readableOn(const QColor &color, std::initializer_list<QColor> backgrounds, double ratio)
{
    auto worst = [&](const QColor &c) {
        double lowest = 21;
        for (const QColor &bg : backgrounds)
            lowest = std::min(lowest, contrastRatio(c, bg));
        return lowest;
    };
    if (backgrounds.size() == 0 || worst(color) >= ratio)
        return color;
    double luminance = 0;
    for (const QColor &bg : backgrounds)
        luminance += relativeLuminance(bg);
    // Lighter on a dark background, darker on a light one; the hue stays.
    const bool lighten = luminance / double(backgrounds.size()) < 0.18; // where black and white contrast alike
    const QColor hsl = color.toHsl();
    const float h = hsl.hslHueF(), s = hsl.hslSaturationF();
    float l = hsl.lightnessF();
    for (int i = 0; i < 100; ++i) {
        l = lighten ? std::min(1.0f, l + 0.01f) : std::max(0.0f, l - 0.01f);
        const QColor candidate = QColor::fromHslF(h, s, l).toRgb();
        if (worst(candidate) >= ratio)
            return candidate;
        if (l <= 0.0f || l >= 1.0f)
            break;
    }
    return lighten ? QColor(Qt::white) : QColor(Qt::black);
}

QColor readable(const QColor &color, const QPalette &palette, double ratio)
{
    // data() asks for this once per visible cell and repaint: remembered per palette.
    struct Key
    {
        QRgb color, base, alternate, window;
        double ratio;
        bool operator==(const Key &o) const
        {
            return color == o.color && base == o.base && alternate == o.alternate && window == o.window && ratio == o.ratio;
        }
    };
    struct KeyHash
    {
        size_t operator()(const Key &k) const
        {
            return qHashMulti(0, k.color, k.base, k.alternate, k.window, k.ratio);
        }
    };
    static std::unordered_map<Key, QColor, KeyHash> cache;
    const QColor base = palette.color(QPalette::Base), alternate = palette.color(QPalette::AlternateBase),
                 window = palette.color(QPalette::Window);
    const Key key{color.rgba(), base.rgba(), alternate.rgba(), window.rgba(), ratio};
    if (auto it = cache.find(key); it != cache.end())
        return it->second;
    if (cache.size() > 1024)
        cache.clear();
    const QColor result = readableOn(color, {base, alternate, window}, ratio);
    cache.emplace(key, result);
    return result;
}

QColor errorColor(const QPalette &palette)
{
    return readable(QColor(0xc6, 0x28, 0x28), palette);
}

void keepTextColor(QWidget *widget, std::function<QColor(const QPalette &)> colorFor)
{
    new TextColorKeeper(widget, std::move(colorFor));
}

void keepErrorColor(QWidget *widget)
{
    keepTextColor(widget, [](const QPalette &p) { return errorColor(p); });
}

} // namespace Theme
